import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../common/config';
import { TooManyRequestsError } from '../../common/errors';
import { RateLimiter, RateLimiterFactory } from '../../common/rate-limit';

/**
 * Failed logins per email (known or not, by `emailAddressKey`): past LOGIN_MAX_FAILURES within
 * LOGIN_FAILURE_WINDOW, logins of that email answer 429. Wrong second-factor codes count too, and
 * only a completed login, second factor included, clears the count.
 */
@Injectable()
export class LoginThrottle {
  private readonly failures: RateLimiter;

  constructor(config: AppConfig, rateLimiters: RateLimiterFactory) {
    this.failures = rateLimiters.create(
      {
        name: 'login-failures',
        points: config.throttling.loginMaxFailures,
        durationSeconds: config.throttling.loginFailureWindowSeconds,
      },
      'Too many failed logins for this account. Please try again later.',
    );
  }

  /**
   * Counted before the password is checked, so parallel guesses cannot all slip in before the
   * count catches up; throws `TooManyRequestsError` once the email is locked.
   */
  countAttempt(emailKey: string): Promise<void> {
    return this.failures.consume(emailKey);
  }

  /** A wrong second-factor code: counted, but the lock answers the next login, not this call. */
  async countWrongCode(emailKey: string): Promise<void> {
    await this.failures.consume(emailKey).catch((error: unknown) => {
      if (!(error instanceof TooManyRequestsError)) throw error;
    });
  }

  completed(emailKey: string): Promise<void> {
    return this.failures.reset(emailKey);
  }
}
