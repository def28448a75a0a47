/**
 * A failure of the HTTP exchange itself (unreadable body, unknown route), raised
 * before any use case runs. Domain code never throws it.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}
