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
  /**
   * Counts one attempt at the challenge and gives it back, in one atomic step; null once it is
   * gone, or once `maxAttempts` were counted already. Counting before the code is checked is what
   * holds parallel guesses to `maxAttempts`.
   */
  abstract claimAttempt(tokenHash: string, maxAttempts: number): Promise<MfaChallenge | null>;
  /** Ends the challenge; true for exactly one of concurrent callers. */
  abstract consume(tokenHash: string): Promise<boolean>;
}
