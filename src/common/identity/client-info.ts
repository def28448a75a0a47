/** Where a request came from, as recorded on its session and in auth events. */
export interface ClientInfo {
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** The request's `X-Request-Id`; null for work no request started (the command line). */
  readonly requestId: string | null;
}
