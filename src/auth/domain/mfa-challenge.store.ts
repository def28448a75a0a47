/** A login whose password was right and whose second factor is still due. */
export interface MfaChallenge {
  readonly userId: string;
  /** The per-email login throttle's key, so wrong codes count as failed logins. */
  readonly emailKey: string;
  /** The account's "tokens valid after" at the password check: a change since voids the login. */
  readonly tokensValidAfter: Date;
}

/** Pending second-factor logins, by the hash of their `mfaToken`, each living a few minutes. */
export abstract class MfaChallengeStore {
  abstract issue(tokenHash: string, challenge: MfaChallenge, ttlSeconds: number): Promise<void>;
  abstract find(tokenHash: string): Promise<MfaChallenge | null>;
  /** Counts a wrong code; the challenge is gone once `maxFailures` are counted. */
  abstract recordFailure(tokenHash: string, maxFailures: number): Promise<void>;
  /** Ends the challenge; true for exactly one of concurrent callers. */
  abstract consume(tokenHash: string): Promise<boolean>;
}
