// What the baselines share of jsonwebtoken's HS256 handling, done by hand with node:crypto.
import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The base64url HMAC-SHA256 of `input` under `key` (a string or a secret KeyObject). */
export const signHs256 = (key, input) =>
  createHmac('sha256', key).update(input).digest('base64url');

/**
 * The payload of a JWT whose header says HS256 and whose signature `key` made, or null: a token
 * of any other shape, a header or payload that is not a JSON object, another algorithm or key.
 * The claims are the caller's to check.
 */
export function verifiedHs256Payload(token, key) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [header, payload] = [parts[0], parts[1]].map(jsonObject);
  if (!header || !payload || header.alg !== 'HS256') return null;
  const expected = Buffer.from(signHs256(key, `${parts[0]}.${parts[1]}`));
  const given = Buffer.from(parts[2]);
  return given.length === expected.length && timingSafeEqual(given, expected) ? payload : null;
}

function jsonObject(part) {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}
