import { JwtService } from '@nestjs/jwt';
import { AccessCheckService } from '../../../src/auth/application/access-check.service';
import { AuthService, type SignedIn } from '../../../src/auth/application/auth.service';
import { LoginThrottle } from '../../../src/auth/application/login-throttle';
import { MfaService, type SecondFactorRequired } from '../../../src/auth/application/mfa.service';
import { SessionRevoker } from '../../../src/auth/application/session-revoker';
import { AesGcmSecretCipher } from '../../../src/auth/infrastructure/aes-gcm-secret.cipher';
import { jwtOptions, JwtTokenCodec } from '../../../src/auth/infrastructure/jwt-token.codec';
import { loadConfig } from '../../../src/common/config';
import { join } from 'node:path';
import { MailTemplates } from '../../../src/common/mail';
import { AccountEmailService, UsersService } from '../../../src/users';
import { FakePasswordHasher } from '../fakes/fake-password.hasher';
import { FixedClock } from '../fakes/fixed.clock';
import { ImmediateUnitOfWork } from '../fakes/immediate.unit-of-work';
import { InMemoryAccountTokenRepository } from '../fakes/in-memory-account-token.repository';
import { InMemoryAuthStateCache } from '../fakes/in-memory-auth-state.cache';
import { InMemoryMailQueue } from '../fakes/in-memory-mail.queue';
import { InMemoryMfaChallengeStore } from '../fakes/in-memory-mfa-challenge.store';
import { InMemoryMfaFactorRepository } from '../fakes/in-memory-mfa-factor.repository';
import { InMemoryRateLimiterFactory } from '../fakes/in-memory-rate-limiter.factory';
import { InMemorySessionRepository } from '../fakes/in-memory-session.repository';
import { InMemoryTokenBlacklist } from '../fakes/in-memory-token.blacklist';
import { InMemoryUserRepository } from '../fakes/in-memory-user.repository';
import { RecordingAuthEventLog } from '../fakes/recording-auth-event.log';

/** A login's outcome when the account has no second factor. */
export function signedIn(outcome: SignedIn | SecondFactorRequired): SignedIn {
  if ('mfaToken' in outcome) throw new Error('The login asked for a second factor');
  return outcome;
}

/** The auth services wired to in-memory fakes of every port, and a real JWT codec. */
export function authTestKit(env: Record<string, string> = {}) {
  const config = loadConfig({
    JWT_SECRET: 'unit-test-secret-unit-test-secret-0123456789',
    LOGIN_MAX_FAILURES: '3',
    ...env,
  });
  const clock = new FixedClock(new Date());
  const unitOfWork = new ImmediateUnitOfWork();
  const userRepository = new InMemoryUserRepository();
  const rateLimiters = new InMemoryRateLimiterFactory();
  const authEvents = new RecordingAuthEventLog(unitOfWork, clock);
  const users = new UsersService(
    userRepository,
    new FakePasswordHasher(),
    unitOfWork,
    clock,
    config,
    rateLimiters,
    authEvents,
  );
  const sessions = new InMemorySessionRepository();
  const blacklist = new InMemoryTokenBlacklist();
  const cache = new InMemoryAuthStateCache();
  const jwt = new JwtService(jwtOptions(config));
  const tokens = new JwtTokenCodec(jwt, config);
  const accountTokens = new InMemoryAccountTokenRepository();
  const mail = new InMemoryMailQueue();
  const accountEmail = new AccountEmailService(
    users,
    accountTokens,
    mail,
    new MailTemplates(join(__dirname, '../../../src/users/infrastructure/mail-templates')),
    authEvents,
    unitOfWork,
    clock,
    config,
    rateLimiters,
  );
  accountEmail.onModuleInit();
  const loginThrottle = new LoginThrottle(config, rateLimiters);
  const revoker = new SessionRevoker(sessions, cache, unitOfWork, clock);
  const mfaFactors = new InMemoryMfaFactorRepository();
  const mfaChallenges = new InMemoryMfaChallengeStore(clock);
  const cipher = new AesGcmSecretCipher(config);
  const mfa = new MfaService(
    users,
    mfaFactors,
    mfaChallenges,
    cipher,
    revoker,
    loginThrottle,
    unitOfWork,
    clock,
    config,
    rateLimiters,
    authEvents,
  );
  const auth = new AuthService(
    users,
    accountEmail,
    sessions,
    blacklist,
    cache,
    tokens,
    unitOfWork,
    clock,
    config,
    loginThrottle,
    revoker,
    mfa,
    authEvents,
  );
  auth.onModuleInit();
  const accessCheck = new AccessCheckService(cache, sessions, blacklist, users, clock);
  const client = { ip: '127.0.0.1', userAgent: 'unit-test', requestId: 'req-1' };

  /** Verifies an access token and reads its claims, as the JWT strategy does. */
  const claimsOf = (accessToken: string) => tokens.readAccessClaims(jwt.verify(accessToken));
  /** The caller an access token stands for, as the guard leaves it on the request. */
  const callerOf = async (accessToken: string) =>
    (await accessCheck.authenticate(claimsOf(accessToken))).principal;

  /** Registers and signs in (addresses need no verification first unless `env` says so). */
  const signUp = async (email = 'ada@example.com') => {
    const { user, tokens } = await auth.register(
      { firstName: 'Ada', lastName: 'Lovelace', email, password: 'password-1' },
      client,
    );
    if (!tokens) throw new Error('The registration opened no session');
    return { user, tokens };
  };

  return {
    config,
    mfa,
    mfaFactors,
    mfaChallenges,
    cipher,
    clock,
    unitOfWork,
    userRepository,
    users,
    accountEmail,
    accountTokens,
    mail,
    sessions,
    blacklist,
    cache,
    jwt,
    auth,
    accessCheck,
    authEvents,
    client,
    claimsOf,
    callerOf,
    signUp,
  };
}
