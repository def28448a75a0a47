import { ResetTokenInvalidError } from '../../../src/users/domain/user.errors';
import { authTestKit } from '../auth/auth-test-kit';

const CLIENT = { ip: '127.0.0.1', userAgent: 'unit-test', requestId: 'req-1' };
const tokenOf = (text: string, page: string) =>
  new RegExp(`/${page}#token=([\\w-]+)`).exec(text)?.[1] ?? '';

describe('AccountEmailService', () => {
  it('queues the same job for a known and an unknown address; only the known one gets a mail', async () => {
    const kit = authTestKit();
    await kit.signUp('ada@example.com');
    await kit.mail.deliver();

    await kit.accountEmail.forgotPassword(' ADA@example.com ', CLIENT);
    await kit.accountEmail.forgotPassword('nobody@example.com', CLIENT);
    expect(kit.mail.jobs.map((job) => job.kind)).toEqual([
      'users.password-reset',
      'users.password-reset',
    ]);
    const mails = await kit.mail.deliver();
    expect(mails.map((mail) => mail.to)).toEqual(['ada@example.com']);
    expect(mails[0].text).toContain('http://localhost:3000/reset-password#token=');
  });

  it('stores only the hash of a token, and a reset link dies at its lifetime', async () => {
    const kit = authTestKit({ PASSWORD_RESET_TTL: '30m' });
    await kit.signUp('ada@example.com');
    await kit.mail.deliver();
    await kit.accountEmail.forgotPassword('ada@example.com', CLIENT);
    const [mail] = await kit.mail.deliver();
    const token = tokenOf(mail.text, 'reset-password');
    expect([...kit.accountTokens.rows.keys()].some((hash) => hash.includes(token))).toBe(false);

    kit.clock.advance(30 * 60 * 1000);
    await expect(
      kit.accountEmail.resetPassword(token, 'a brand new passphrase', CLIENT),
    ).rejects.toBeInstanceOf(ResetTokenInvalidError);
  });

  it('resets once, revoking every session, and queues a notice', async () => {
    const kit = authTestKit();
    const { user } = await kit.signUp('ada@example.com');
    await kit.mail.deliver();
    await kit.accountEmail.forgotPassword('ada@example.com', CLIENT);
    const token = tokenOf((await kit.mail.deliver())[0].text, 'reset-password');

    await kit.accountEmail.resetPassword(token, 'a brand new passphrase', CLIENT);
    expect(await kit.sessions.findActiveByUser(user.id, kit.clock.now())).toEqual([]);
    expect((await kit.users.getAccount(user.id)).emailVerifiedAt).not.toBeNull();
    expect(kit.mail.jobs.map((job) => job.kind)).toEqual(['users.password-reset-notice']);
    await expect(
      kit.accountEmail.resetPassword(token, 'another passphrase', CLIENT),
    ).rejects.toBeInstanceOf(ResetTokenInvalidError);
  });

  it('sends no more link mails to an address past its limit, and says nothing of it', async () => {
    const kit = authTestKit({ MAIL_PER_EMAIL_LIMIT: '2' });
    await kit.signUp('ada@example.com');
    for (let i = 0; i < 3; i++) await kit.accountEmail.forgotPassword('ada@example.com', CLIENT);
    // The registration mail and one reset: the limit is 2.
    expect(kit.mail.jobs).toHaveLength(2);
  });
});
