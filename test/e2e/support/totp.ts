import { generate } from 'otplib';
import { bearer, type TestAccount } from './accounts';
import { sleep } from './polling';
import type { AppUnderTest } from './test-app';

/** RFC 6238 as the service applies it: 30 s steps, and one step of drift either way. */
export const TOTP_PERIOD_SECONDS = 30;

/**
 * How long a chosen code must stay accepted for the requests that carry it: the code of the
 * step before the current one (accepted until the current step ends) is not used closer than
 * this to that end.
 */
const REQUEST_MARGIN_SECONDS = 5;

const nowInSeconds = () => Date.now() / 1000;
const stepAt = (epochSeconds: number) => Math.floor(epochSeconds / TOTP_PERIOD_SECONDS);

/** The code an authenticator app shows for `secret` at `epochSeconds` (Unix time). */
export function totpCode(
  secret: string,
  epochSeconds = Math.floor(nowInSeconds()),
): Promise<string> {
  return generate({ secret, epoch: epochSeconds });
}

/** A code, and the time (Unix seconds, the start of its step) it was made for. */
export interface TimedCode {
  readonly code: string;
  readonly time: number;
}

/**
 * The code of the earliest step the service accepts now that is later than the step of
 * `afterTime` (so it is no replay of a code used then). Steps from the one before the current
 * to the one after it are accepted, so a test gets up to three codes without waiting; only a
 * step beyond the one after the current means waiting for the next 30 s step, and then this
 * waits.
 */
export async function codeAfter(secret: string, afterTime?: number): Promise<TimedCode> {
  const earliestWanted = afterTime === undefined ? -Infinity : stepAt(afterTime) + 1;
  for (;;) {
    const now = nowInSeconds();
    const current = stepAt(now);
    const previousStaysAccepted =
      now + REQUEST_MARGIN_SECONDS < (current + 1) * TOTP_PERIOD_SECONDS;
    const step = Math.max(earliestWanted, previousStaysAccepted ? current - 1 : current);
    if (step <= current + 1) {
      const time = step * TOTP_PERIOD_SECONDS;
      return { code: await totpCode(secret, time), time };
    }
    // That step is accepted once the one before it has begun.
    await sleep(((step - 1) * TOTP_PERIOD_SECONDS - now) * 1000 + 50);
  }
}

/** Six digits that no step near now accepts for `secret`: a wrong code of the right shape. */
export async function wrongCode(secret: string): Promise<string> {
  const current = stepAt(nowInSeconds());
  const nearSteps = [-2, -1, 0, 1, 2].map((offset) => (current + offset) * TOTP_PERIOD_SECONDS);
  const near = new Set(await Promise.all(nearSteps.map((time) => totpCode(secret, time))));
  for (let candidate = 0; ; candidate += 1) {
    const code = String(candidate).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

/** Starts a setup through the API; resolves to its answer (`secret`, `otpauthUri`, `qrSvg`). */
export async function startMfaSetup(
  testApp: AppUnderTest,
  account: TestAccount,
): Promise<{ secret: string; otpauthUri: string; qrSvg: string }> {
  const response = await testApp.http
    .post('/auth/mfa/totp/setup')
    .set(bearer(account.accessToken))
    .send({ password: account.password })
    .expect(200);
  return response.body;
}

export interface EnabledMfa {
  readonly secret: string;
  readonly recoveryCodes: string[];
  /** The time of the code that enabled it: a later code must be of a later step. */
  readonly lastCodeTime: number;
}

/** Sets up and enables the second factor of `account` through the API, with its own token. */
export async function enableMfa(testApp: AppUnderTest, account: TestAccount): Promise<EnabledMfa> {
  const { secret } = await startMfaSetup(testApp, account);
  const { code, time } = await codeAfter(secret);
  const enabled = await testApp.http
    .post('/auth/mfa/totp/enable')
    .set(bearer(account.accessToken))
    .send({ code })
    .expect(200);
  return { secret, recoveryCodes: enabled.body.recoveryCodes, lastCodeTime: time };
}
