/** Lets one instance at a time run a named job; the others skip it. */
export abstract class JobLock {
  abstract runExclusive<T>(
    name: string,
    work: () => Promise<T>,
  ): Promise<{ ran: true; result: T } | { ran: false }>;
}
