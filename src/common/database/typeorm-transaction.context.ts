import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import {
  DataSource,
  type EntityManager,
  type EntityTarget,
  type ObjectLiteral,
  type Repository,
} from 'typeorm';
import { TranslateErrors } from '../errors/translate-errors';
import { translatePostgresError } from './postgres-failure';
import { UnitOfWork } from './unit-of-work';

interface Transaction {
  readonly manager: EntityManager;
  readonly effects: Array<() => void | Promise<void>>;
}

/**
 * The TypeORM side of `UnitOfWork`: the transaction's entity manager travels in async-local
 * storage, and repositories ask for `repository(Entity)` to get the one in force.
 */
@Injectable()
@TranslateErrors(translatePostgresError)
export class TypeOrmTransactionContext extends UnitOfWork {
  private readonly current = new AsyncLocalStorage<Transaction>();

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    // Nested calls join the outer transaction.
    if (this.current.getStore()) return work();
    const effects: Transaction['effects'] = [];
    const result = await this.dataSource.transaction((manager) =>
      this.current.run({ manager, effects }, work),
    );
    for (const effect of effects) await effect();
    return result;
  }

  afterCommit(effect: () => void | Promise<void>): void {
    const transaction = this.current.getStore();
    if (transaction) transaction.effects.push(effect);
    else void effect();
  }

  manager(): EntityManager {
    return this.current.getStore()?.manager ?? this.dataSource.manager;
  }

  repository<Entity extends ObjectLiteral>(target: EntityTarget<Entity>): Repository<Entity> {
    return this.manager().getRepository(target);
  }
}
