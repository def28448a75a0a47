import type { Role } from './role';

/** Who made a request, as the authentication guard leaves it on `request.user`. */
export interface RequestPrincipal {
  readonly userId: string;
  readonly sessionId: string;
  /** The access token's `jti`. */
  readonly tokenId: string;
  readonly tokenExpiresAt: Date;
  /** From the account the access check read (the record or its cached copy), never the token. */
  readonly role: Role;
}
