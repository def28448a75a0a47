import type { Role } from './role';

/** Who made a request, as the authentication guard leaves it on `request.user`. */
export interface RequestPrincipal {
  readonly userId: string;
  readonly sessionId: string;
  /** The access token's `jti`. */
  readonly tokenId: string;
  readonly tokenExpiresAt: Date;
  /** Read from the record at each request, never from the token. */
  readonly role: Role;
}
