/**
 * Runs work atomically: every repository call made inside `run` joins one transaction,
 * without the application layer ever seeing a connection or an entity manager.
 */
export abstract class UnitOfWork {
  abstract run<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Runs `effect` once the transaction in force commits (never if it rolls back), or right away
   * outside one: for work that must not see, or be seen before, uncommitted rows. The outermost
   * `run` awaits it before it returns, so whatever the caller answers next follows it. It must
   * handle its own failures: the work is committed already.
   */
  abstract afterCommit(effect: () => void | Promise<void>): void;
}
