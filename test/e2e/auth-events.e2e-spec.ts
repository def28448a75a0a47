import { bearer, login, promoteToAdmin, registerAccount } from './support/accounts';
import { type LogLine, waitForLogLine } from './support/log-file';
import { useTestApp } from './support/test-app';

/**
 * Auth events come from the auth and the users modules alike, in one shape: the event, the user
 * it concerns and the address of the request that caused it (here set through the trusted proxy).
 */
describe('auth events in the log', () => {
  const testApp = useTestApp({ LOG_LEVEL: 'info', TRUST_PROXY: '1' });

  const authEvent = (event: string, userId: string) => (line: LogLine) =>
    line.msg === 'auth event' && line.event === event && line.userId === userId;

  it('logs a password change with the user and the address it came from', async () => {
    const account = await registerAccount(testApp);
    await testApp.http
      .post('/users/me/password')
      .set(bearer(account.accessToken))
      .set('X-Forwarded-For', '203.0.113.21')
      .send({ currentPassword: account.password, newPassword: 'a brand new passphrase' })
      .expect(200);

    expect(await waitForLogLine(testApp, authEvent('password.changed', account.id))).toEqual(
      expect.objectContaining({
        event: 'password.changed',
        userId: account.id,
        ip: '203.0.113.21',
      }),
    );
  });

  it("logs an admin's disable and enable with the user and the admin's address", async () => {
    const admin = await registerAccount(testApp);
    await promoteToAdmin(testApp, admin.email);
    const { accessToken } = await login(testApp, admin.email, admin.password);
    const target = await registerAccount(testApp);
    for (const action of ['disable', 'enable']) {
      await testApp.http
        .post(`/users/${target.id}/${action}`)
        .set(bearer(accessToken))
        .set('X-Forwarded-For', '2001:db8::22')
        .expect(200);
    }

    for (const event of ['account.disabled', 'account.enabled']) {
      expect(await waitForLogLine(testApp, authEvent(event, target.id))).toEqual(
        expect.objectContaining({ event, userId: target.id, ip: '2001:db8::22' }),
      );
    }
  });

  it('logs an account deletion with the user and the address it came from', async () => {
    const account = await registerAccount(testApp);
    await testApp.http
      .delete('/users/me')
      .set(bearer(account.accessToken))
      .set('X-Forwarded-For', '203.0.113.23')
      .send({ password: account.password })
      .expect(204);

    expect(await waitForLogLine(testApp, authEvent('account.deleted', account.id))).toEqual(
      expect.objectContaining({ event: 'account.deleted', userId: account.id, ip: '203.0.113.23' }),
    );
  });
});
