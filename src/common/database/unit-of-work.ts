/**
 * Runs work atomically: every repository call made inside `run` joins one transaction,
 * without the application layer ever seeing a connection or an entity manager.
 */
export abstract class UnitOfWork {
  abstract run<T>(work: () => Promise<T>): Promise<T>;
}
