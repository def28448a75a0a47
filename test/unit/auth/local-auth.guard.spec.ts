import type { ExecutionContext } from '@nestjs/common';
import type { RequestAuthenticator } from '../../../src/auth';
import { LocalAuthGuard } from '../../../src/auth/http/local-auth.guard';
import type { LoginRequest } from '../../../src/auth/http/signed-in-account.decorator';
import type { UserAccount } from '../../../src/users';

const account: UserAccount = {
  id: '6f1f9a3c-2b7e-4c1d-8e2f-0a9b8c7d6e5f',
  email: 'ada@example.com',
  firstName: 'Ada',
  lastName: 'Lovelace',
  role: 'user',
  disabledAt: null,
  emailVerifiedAt: null,
  mfaEnabled: false,
  tokensValidAfter: new Date(0),
  createdAt: new Date(0),
  revision: 0,
};

/** Credentials that open `account`: the guard's only collaborator, its strategies aside. */
const opensAccount = { password: async () => account } as unknown as RequestAuthenticator;

const contextOf = (request: LoginRequest) =>
  ({ switchToHttp: () => ({ getRequest: () => request }) }) as unknown as ExecutionContext;

describe('LocalAuthGuard', () => {
  it('keeps the checked account under its own key: request.user is only ever a principal', async () => {
    const request = {
      body: { email: 'ada@example.com', password: 'correct horse battery staple' },
    } as LoginRequest;

    await expect(new LocalAuthGuard(opensAccount).canActivate(contextOf(request))).resolves.toBe(
      true,
    );

    expect(request.signedInAccount).toBe(account);
    expect(request.user).toBeUndefined();
  });
});
