/** Where a request came from, as recorded on its session and in auth events. */
export interface ClientInfo {
  readonly ip: string | null;
  readonly userAgent: string | null;
}
