import { UnitOfWork } from '../../../src/common/database/unit-of-work';

/** Runs the work directly and counts transactions, so tests can see what ran inside one. */
export class ImmediateUnitOfWork extends UnitOfWork {
  depth = 0;
  transactions = 0;
  private effects: Array<() => void | Promise<void>> = [];

  async run<T>(work: () => Promise<T>): Promise<T> {
    this.transactions++;
    this.depth++;
    try {
      const result = await work();
      if (this.depth === 1) for (const effect of this.effects.splice(0)) await effect();
      return result;
    } catch (error) {
      if (this.depth === 1) this.effects = [];
      throw error;
    } finally {
      this.depth--;
    }
  }

  afterCommit(effect: () => void | Promise<void>): void {
    if (this.depth > 0) this.effects.push(effect);
    else void effect();
  }
}
