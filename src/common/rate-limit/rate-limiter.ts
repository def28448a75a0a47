/** A fixed-window counter shared by every instance: `points` hits per `durationSeconds` per key. */
export interface RateLimitRule {
  /** Names the counter family in storage, e.g. `login-failures`. */
  readonly name: string;
  readonly points: number;
  readonly durationSeconds: number;
  /**
   * Once a key has used its points, this instance refuses it from memory until its window ends,
   * without asking storage: a client hammering past its limit costs no round trip. For limits
   * nothing resets early (`reset` clears only this instance's memory).
   */
  readonly blockInMemoryWhenSpent?: boolean;
}

/** A counter for one rule. Storage failures reject (and so become 503s), never let a hit through. */
export abstract class RateLimiter {
  /** Counts one hit; throws `TooManyRequestsError` when the key is past its points. */
  abstract consume(key: string): Promise<void>;
  abstract reset(key: string): Promise<void>;
}

export abstract class RateLimiterFactory {
  abstract create(rule: RateLimitRule, message?: string): RateLimiter;
}
