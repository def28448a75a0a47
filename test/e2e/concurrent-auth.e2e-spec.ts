import { bearer, registerAccount, type TestAccount } from './support/accounts';
import { useTestApp } from './support/test-app';

describe('authentication under concurrency', () => {
  const testApp = useTestApp({}, { listen: true });
  let accounts: TestAccount[];

  beforeAll(async () => {
    accounts = await Promise.all(Array.from({ length: 5 }, () => registerAccount(testApp)));
  });

  it('gives every parallel request its own caller, never another request’s', async () => {
    const requests = Array.from({ length: 40 }, (_, i) => accounts[i % accounts.length]);
    const responses = await Promise.all(
      requests.map((account) => testApp.http.get('/users/me').set(bearer(account.accessToken))),
    );
    responses.forEach((response, i) => {
      expect({ status: response.status, id: response.body.id }).toEqual({
        status: 200,
        id: requests[i].id,
      });
    });
  });

  it('answers every parallel login with its own outcome', async () => {
    const attempts = accounts.flatMap((account) => [
      { account, password: account.password, status: 200 },
      { account, password: 'not the password', status: 401 },
    ]);
    const responses = await Promise.all(
      attempts.map(({ account, password }) =>
        testApp.http.post('/auth/login').send({ email: account.email, password }),
      ),
    );
    responses.forEach((response, i) => {
      const { account, status } = attempts[i];
      expect(response.status).toBe(status);
      if (status === 200) expect(response.body.user.id).toBe(account.id);
    });
  });
});
