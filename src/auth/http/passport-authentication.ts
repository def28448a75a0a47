import { Passport, type Strategy } from 'passport';

/**
 * A passport of our own. Strategies are handed to it as instances, never looked up by name in
 * passport's global registry, so every app in a process (tests, the CLI) keeps its own strategies.
 */
export const passport = new Passport();

export interface PassportOutcome<TUser> {
  readonly user: TUser | false;
  readonly info: unknown;
}

/**
 * Runs one strategy on a request (anything with what the strategy reads); the strategy's own
 * errors reject. With a callback, passport never writes to the response, so none is needed.
 */
export function authenticateWith<TUser>(
  strategy: Strategy,
  request: object,
): Promise<PassportOutcome<TUser>> {
  return new Promise((resolve, reject) => {
    // Passport attaches this request's callbacks to the strategy object it is given, so each
    // request gets its own object on top of the shared strategy.
    const middleware = passport.authenticate(
      Object.create(strategy) as Strategy,
      { session: false },
      (error: unknown, user: TUser | false, info: unknown) =>
        error ? reject(error) : resolve({ user, info }),
    ) as (request: object, response: object, next: (error?: unknown) => void) => void;
    middleware(request, {}, (error?: unknown) =>
      reject(error ?? new Error('passport called next')),
    );
  });
}
