export interface BlacklistedToken {
  readonly jti: string;
  readonly userId: string;
  /** The token's own expiry: after it the entry is useless and may be pruned. */
  readonly expiresAt: Date;
}

/** Access tokens revoked before their expiry (logout). PostgreSQL is the record. */
export abstract class TokenBlacklist {
  /** Adding a token twice is harmless. */
  abstract add(token: BlacklistedToken): Promise<void>;
  abstract contains(jti: string): Promise<boolean>;
  /** Deletes up to `limit` entries that expired before `now`; returns how many. */
  abstract deleteExpired(now: Date, limit: number): Promise<number>;
}
