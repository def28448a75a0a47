import { bearer, login, promoteToAdmin, registerAccount } from './support/accounts';
import { waitForLogLine } from './support/log-file';
import { useTestApp } from './support/test-app';

/**
 * Auth events come from the auth and the users modules alike, in one shape: the event, the user
 * it concerns and the address of the request that caused it (here set through the trusted proxy).
 */
describe('auth events in the log', () => {
  const testApp = useTestApp({ LOG_LEVEL: 'info', TRUST_PROXY: '1' });

  async function expectAuthEvent(event: string, userId: string, ip: string): Promise<void> {
    const line = await waitForLogLine(
      testApp,
      (candidate) =>
        candidate.msg === 'auth event' && candidate.event === event && candidate.userId === userId,
    );
    expect(line).toEqual(expect.objectContaining({ event, userId, ip }));
  }

  it('logs a password change with the user and the address it came from', async () => {
    const account = await registerAccount(testApp);
    await testApp.http
      .post('/users/me/password')
      .set({ ...bearer(account.accessToken), 'X-Forwarded-For': '203.0.113.21' })
      .send({ currentPassword: account.password, newPassword: 'a brand new passphrase' })
      .expect(200);
    await expectAuthEvent('password.changed', account.id, '203.0.113.21');
  });

  it("logs an admin's disable and enable with the user and the admin's address", async () => {
    const admin = await registerAccount(testApp);
    await promoteToAdmin(testApp, admin.email);
    const { accessToken } = await login(testApp, admin.email, admin.password);
    const target = await registerAccount(testApp);
    for (const action of ['disable', 'enable']) {
      await testApp.http
        .post(`/users/${target.id}/${action}`)
        .set({ ...bearer(accessToken), 'X-Forwarded-For': '2001:db8::22' })
        .expect(200);
    }
    await expectAuthEvent('user.disabled', target.id, '2001:db8::22');
    await expectAuthEvent('user.enabled', target.id, '2001:db8::22');
  });

  it('logs an account deletion with the user and the address it came from', async () => {
    const account = await registerAccount(testApp);
    await testApp.http
      .delete('/users/me')
      .set({ ...bearer(account.accessToken), 'X-Forwarded-For': '203.0.113.23' })
      .send({ password: account.password })
      .expect(204);
    await expectAuthEvent('user.deleted', account.id, '203.0.113.23');
  });
});
