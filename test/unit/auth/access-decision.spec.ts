import { type AuthState, decideAccess } from '../../../src/auth/domain/access-decision';
import { TokenRevokedError } from '../../../src/auth/domain/auth.errors';
import type { AccessClaims } from '../../../src/auth/domain/tokens';
import { accountAt } from '../../contracts/auth-state-cache.contract';

const now = new Date('2026-11-25T12:00:00.000Z');
const claims: AccessClaims = {
  userId: 'u1',
  sessionId: 's1',
  tokenId: 't1',
  issuedAt: new Date('2026-11-25T11:55:00.000Z'),
  expiresAt: new Date('2026-11-25T12:10:00.000Z'),
};
const allowed: AuthState = {
  token: 'valid',
  session: { active: true, userId: 'u1', expiresAt: new Date('2026-12-01T00:00:00Z') },
  account: accountAt('u1', 4, {
    role: 'admin',
    tokensValidAfter: new Date('2026-11-25T11:00:00Z'),
  }),
};

describe('decideAccess', () => {
  it('lets a live token of a live session and account through, with the account', () => {
    expect(decideAccess(claims, allowed, now)).toBe(allowed.account);
  });

  it.each<[string, Partial<AuthState>]>([
    ['a logged-out token', { token: 'revoked' }],
    ['a revoked session', { session: { active: false } }],
    ['an expired session', { session: { active: true, userId: 'u1', expiresAt: now } }],
    [
      'another user’s session',
      { session: { active: true, userId: 'u2', expiresAt: new Date('2027-01-01') } },
    ],
    [
      'a disabled account',
      { account: accountAt('u1', 5, { disabledAt: new Date('2026-11-25T11:00:00Z') }) },
    ],
    ['a deleted account', { account: null }],
    [
      'a token issued before a password change',
      { account: accountAt('u1', 5, { tokensValidAfter: new Date('2026-11-25T11:56:00.000Z') }) },
    ],
  ])('refuses %s', (_case, change) => {
    expect(() => decideAccess(claims, { ...allowed, ...change }, now)).toThrow(TokenRevokedError);
  });

  it('leaves a token issued in the same second as the cutoff to its session', () => {
    const account = accountAt('u1', 5, { tokensValidAfter: new Date('2026-11-25T11:55:00.900Z') });
    expect(decideAccess(claims, { ...allowed, account }, now)).toBe(account);
  });
});
