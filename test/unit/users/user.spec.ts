import { User } from '../../../src/users/domain/user';

const t0 = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-02T00:00:00Z');

function newUser(): User {
  return User.register({
    id: 'u1',
    email: 'ada@example.com',
    firstName: 'Ada',
    lastName: 'Lovelace',
    passwordHash: 'h1',
    now: t0,
  });
}

describe('User', () => {
  it('registers as an enabled plain user whose tokens count from now', () => {
    const user = newUser();
    expect(user.role).toBe('user');
    expect(user.isDisabled).toBe(false);
    expect(user.tokensValidAfter).toEqual(t0);
  });

  it('counts an address as verified only while it is the account’s, from the first proof', () => {
    const user = newUser();
    expect(user.emailVerifiedAt).toBeNull();
    expect(user.verifyEmail('grace@example.com', later)).toBe(false);
    expect(user.emailVerifiedAt).toBeNull();
    expect(user.verifyEmail('ada@example.com', t0)).toBe(true);
    expect(user.verifyEmail('ada@example.com', later)).toBe(true);
    expect(user.emailVerifiedAt).toEqual(t0);
  });

  it('takes a new address as verified, since it was confirmed from it', () => {
    const user = newUser();
    user.changeEmail('grace@example.com', later);
    expect(user.email).toBe('grace@example.com');
    expect(user.emailVerifiedAt).toEqual(later);
    expect(user.verifyEmail('ada@example.com', later)).toBe(false);
  });

  it('revokes earlier tokens when the password changes', () => {
    const user = newUser();
    user.changePassword('h2', later);
    expect(user.passwordHash).toBe('h2');
    expect(user.tokensValidAfter).toEqual(later);
  });

  it('revokes earlier tokens when disabled, and keeps them revoked when enabled again', () => {
    const user = newUser();
    user.disable(later);
    expect(user.disabledAt).toEqual(later);
    expect(user.tokensValidAfter).toEqual(later);
    user.enable(new Date('2026-01-03T00:00:00Z'));
    expect(user.isDisabled).toBe(false);
    expect(user.tokensValidAfter).toEqual(later);
  });

  it('does not move the cutoff when disabled twice', () => {
    const user = newUser();
    user.disable(later);
    user.disable(new Date('2026-01-05T00:00:00Z'));
    expect(user.disabledAt).toEqual(later);
  });

  it('renames only the names given', () => {
    const user = newUser();
    user.rename({ lastName: 'Byron' }, later);
    expect([user.firstName, user.lastName]).toEqual(['Ada', 'Byron']);
    expect(user.updatedAt).toEqual(later);
  });

  it('is promoted to admin', () => {
    const user = newUser();
    user.promote(later);
    expect(user.role).toBe('admin');
  });
});
