import type { RefreshGrant } from './session';

/** What an access token says, once its signature, algorithm, issuer, audience and expiry are checked. */
export interface AccessClaims {
  readonly userId: string;
  readonly sessionId: string;
  readonly tokenId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export interface RefreshClaims {
  readonly userId: string;
  readonly sessionId: string;
  readonly tokenId: string;
}

export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: 'Bearer';
  /** Access token lifetime in seconds. */
  readonly expiresIn: number;
}

/** Signs and reads the service's JWTs. */
export abstract class TokenCodec {
  /**
   * A new access token, and the refresh token of `refresh`: the same grant always signs to the
   * same string.
   */
  abstract issuePair(subject: {
    userId: string;
    sessionId: string;
    refresh: RefreshGrant;
  }): Promise<TokenPair>;
  /** Throws `RefreshInvalidError`, or `WrongTokenTypeError` for an access token. */
  abstract readRefreshToken(token: string): Promise<RefreshClaims>;
}
