import { UnitOfWork } from '../../../src/common/database/unit-of-work';

/** Runs the work directly and counts transactions, so tests can see what ran inside one. */
export class ImmediateUnitOfWork extends UnitOfWork {
  depth = 0;
  transactions = 0;

  async run<T>(work: () => Promise<T>): Promise<T> {
    this.transactions++;
    this.depth++;
    try {
      return await work();
    } finally {
      this.depth--;
    }
  }
}
