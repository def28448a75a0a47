import { generateSecret, generateURI, verify } from 'otplib';
import { toString as qrCodeSvg } from 'qrcode';
import {
  TOTP_DIGITS,
  TOTP_DRIFT_STEPS,
  TOTP_ISSUER,
  TOTP_PERIOD_SECONDS,
} from '../domain/totp-factor';

/** What a user needs to add the account to an authenticator app. */
export interface TotpEnrollment {
  readonly secret: string;
  readonly otpauthUri: string;
  readonly qrSvg: string;
}

/** 160 bits: 32 base32 characters, upper case, no padding. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export async function totpEnrollment(secret: string, email: string): Promise<TotpEnrollment> {
  const otpauthUri = generateURI({
    issuer: TOTP_ISSUER,
    label: email,
    secret,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
  return { secret, otpauthUri, qrSvg: await qrCodeSvg(otpauthUri, { type: 'svg', margin: 2 }) };
}

/**
 * The time step `code` was made for, if it matches one within the drift window around `at` and is
 * later than `afterStep` (the last one spent); null otherwise. A code of any other shape
 * (authenticator apps show "123 456") is simply wrong.
 */
export async function matchingTotpStep(
  secret: string,
  code: string,
  at: Date,
  afterStep: number | null,
): Promise<number | null> {
  const token = code.replace(/\s/g, '');
  if (!new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(token)) return null;
  const epoch = Math.floor(at.getTime() / 1000);
  const currentStep = Math.floor(epoch / TOTP_PERIOD_SECONDS);
  // Every step the window holds is spent already (the library refuses such a bound outright).
  if (afterStep !== null && afterStep >= currentStep + TOTP_DRIFT_STEPS) return null;
  const result = await verify({
    secret,
    token,
    epoch,
    period: TOTP_PERIOD_SECONDS,
    digits: TOTP_DIGITS,
    epochTolerance: TOTP_DRIFT_STEPS * TOTP_PERIOD_SECONDS,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  return result.valid ? currentStep + result.delta : null;
}
