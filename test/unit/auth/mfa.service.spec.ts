import { generate } from 'otplib';
import { TOTP_PERIOD_SECONDS } from '../../../src/auth/domain/totp-factor';
import {
  MfaAlreadyEnabledError,
  MfaCodeInvalidError,
  MfaNotEnabledError,
  MfaSetupRequiredError,
  MfaTokenInvalidError,
} from '../../../src/auth/domain/mfa.errors';
import { TooManyRequestsError } from '../../../src/common/errors';
import { authTestKit, signedIn } from './auth-test-kit';

const STEP_MS = TOTP_PERIOD_SECONDS * 1000;
const PASSWORD = 'password-1';

/** The code an authenticator app shows `stepsAway` steps from the kit's clock. */
function codeAt(secret: string, now: Date, stepsAway = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(now.getTime() / 1000) + stepsAway * 30 });
}

/** A kit with a signed-up user, its caller identity, and helpers to turn MFA on. */
async function mfaKit(env: Record<string, string> = {}) {
  const kit = authTestKit(env);
  const { user, tokens } = await kit.signUp();
  const caller = await kit.callerOf(tokens.accessToken);
  // On to the middle of a step, so "one step either side" is unambiguous.
  kit.clock.advance(STEP_MS - (kit.clock.now().getTime() % STEP_MS) + STEP_MS / 2);
  const code = (stepsAway = 0) => codeAt(secret, kit.clock.now(), stepsAway);
  let secret = '';
  const setUp = async () => {
    secret = (await kit.mfa.setup(caller, PASSWORD, kit.client)).secret;
    return secret;
  };
  const enable = async () => {
    await setUp();
    const recoveryCodes = await kit.mfa.enable(caller, await code(), kit.client);
    // The next code must come from a later step.
    kit.clock.advance(STEP_MS);
    return recoveryCodes;
  };
  const login = async () => {
    const outcome = await kit.auth.login(await kit.users.getAccount(user.id), kit.client);
    if (!('mfaToken' in outcome)) throw new Error('The login asked for no second factor');
    return outcome.mfaToken;
  };
  /** A session opened past the second factor, as a completed login opens it. */
  const signIn = async () =>
    kit.auth.completeSecondFactor(await login(), { code: await code() }, kit.client);
  return { ...kit, user, tokens, caller, code, setUp, enable, login, signIn };
}

describe('MfaService (the TOTP second factor)', () => {
  it('sets up a 160-bit base32 secret that only counts once a first code confirms it', async () => {
    const kit = await mfaKit();
    const enrollment = await kit.mfa.setup(kit.caller, PASSWORD, kit.client);

    expect(enrollment.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrollment.otpauthUri).toBe(
      `otpauth://totp/TempMessenger:ada%40example.com?secret=${enrollment.secret}&issuer=TempMessenger`,
    );
    expect(enrollment.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect((await kit.users.getAccount(kit.user.id)).mfaEnabled).toBe(false);
    const stored = kit.mfaFactors.factors.get(kit.user.id)!;
    expect(stored.secret.ciphertext).not.toContain(enrollment.secret);
    expect(kit.cipher.open(stored.secret, kit.user.id)).toBe(enrollment.secret);
  });

  it('accepts a code one step early or late, never two', async () => {
    for (const [stepsAway, accepted] of [
      [-2, false],
      [-1, true],
      [1, true],
      [2, false],
    ] as const) {
      const kit = await mfaKit();
      await kit.setUp();
      const attempt = kit.mfa.enable(kit.caller, await kit.code(stepsAway), kit.client);
      if (accepted) await expect(attempt).resolves.toHaveLength(10);
      else await expect(attempt).rejects.toBeInstanceOf(MfaCodeInvalidError);
    }
  });

  it('never accepts a code of a step it accepted, or of an earlier one', async () => {
    const kit = await mfaKit();
    await kit.enable();
    const used = await kit.code();
    const earlier = await kit.code(-1);
    await expect(
      kit.mfa.completeChallenge(await kit.login(), { code: used }, kit.client),
    ).resolves.toMatchObject({ id: kit.user.id });

    for (const replay of [used, earlier]) {
      await expect(
        kit.mfa.completeChallenge(await kit.login(), { code: replay }, kit.client),
      ).rejects.toBeInstanceOf(MfaCodeInvalidError);
    }
    // The next step's code still works.
    kit.clock.advance(STEP_MS);
    await expect(
      kit.mfa.completeChallenge(await kit.login(), { code: await kit.code() }, kit.client),
    ).resolves.toMatchObject({ id: kit.user.id });
  });

  it('lets one of two concurrent logins with the same code through', async () => {
    const kit = await mfaKit();
    await kit.enable();
    const code = await kit.code();
    const [first, second] = [await kit.login(), await kit.login()];

    const outcomes = await Promise.allSettled([
      kit.auth.completeSecondFactor(first, { code }, kit.client),
      kit.auth.completeSecondFactor(second, { code }, kit.client),
    ]);

    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('takes each recovery code once, in any case, with spaces and hyphens', async () => {
    const kit = await mfaKit();
    const [first, second] = await kit.enable();
    const typed = `${first.slice(0, 5).toLowerCase()}-${first.slice(5)} `;

    await expect(
      kit.mfa.completeChallenge(await kit.login(), { recoveryCode: typed }, kit.client),
    ).resolves.toMatchObject({ id: kit.user.id });
    await expect(
      kit.mfa.completeChallenge(await kit.login(), { recoveryCode: first }, kit.client),
    ).rejects.toBeInstanceOf(MfaCodeInvalidError);
    expect(kit.authEvents.entries.map((entry) => entry.event)).toContain('mfa.recovery_code_used');

    // A new set replaces the old one.
    const renewed = await kit.mfa.regenerateRecoveryCodes(kit.caller, await kit.code(), kit.client);
    await expect(
      kit.mfa.completeChallenge(await kit.login(), { recoveryCode: second }, kit.client),
    ).rejects.toBeInstanceOf(MfaCodeInvalidError);
    await expect(
      kit.mfa.completeChallenge(await kit.login(), { recoveryCode: renewed[0] }, kit.client),
    ).resolves.toMatchObject({ id: kit.user.id });
  });

  it('kills an mfaToken after 5 wrong codes, and after one success, and at its expiry', async () => {
    const kit = await mfaKit();
    await kit.enable();
    const wrongFiveTimes = await kit.login();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await expect(
        kit.mfa.completeChallenge(wrongFiveTimes, { code: '000000' }, kit.client),
      ).rejects.toBeInstanceOf(MfaCodeInvalidError);
    }
    await expect(
      kit.mfa.completeChallenge(wrongFiveTimes, { code: await kit.code() }, kit.client),
    ).rejects.toBeInstanceOf(MfaTokenInvalidError);

    const used = await kit.login();
    await kit.mfa.completeChallenge(used, { code: await kit.code() }, kit.client);
    kit.clock.advance(STEP_MS);
    await expect(
      kit.mfa.completeChallenge(used, { code: await kit.code() }, kit.client),
    ).rejects.toBeInstanceOf(MfaTokenInvalidError);

    const late = await kit.login();
    kit.clock.advance(300_000);
    await expect(
      kit.mfa.completeChallenge(late, { code: await kit.code() }, kit.client),
    ).rejects.toBeInstanceOf(MfaTokenInvalidError);
  });

  it('counts wrong codes as failed logins of the email; only a completed login clears them', async () => {
    // LOGIN_MAX_FAILURES is 3 in the kit: the password login counts one, two wrong codes two more.
    const kit = await mfaKit();
    await kit.enable();
    const mfaToken = await kit.auth
      .verifyLogin('ada@example.com', PASSWORD, kit.client)
      .then(() => kit.login());
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await expect(
        kit.mfa.completeChallenge(mfaToken, { code: '000000' }, kit.client),
      ).rejects.toBeInstanceOf(MfaCodeInvalidError);
    }
    await expect(
      kit.auth.verifyLogin('ada@example.com', PASSWORD, kit.client),
    ).rejects.toBeInstanceOf(TooManyRequestsError);
  });

  it('voids a pending login when the password changes before its second step', async () => {
    const kit = await mfaKit();
    await kit.enable();
    const mfaToken = await kit.login();
    kit.clock.advance(1000);
    await kit.auth.changePassword(kit.caller, PASSWORD, 'password-2', kit.client);

    await expect(
      kit.auth.completeSecondFactor(mfaToken, { code: await kit.code() }, kit.client),
    ).rejects.toBeInstanceOf(MfaTokenInvalidError);
  });

  it('refuses each step out of order: enable twice, enable before setup, disable when off', async () => {
    const kit = await mfaKit();
    await expect(kit.mfa.enable(kit.caller, '123456', kit.client)).rejects.toBeInstanceOf(
      MfaSetupRequiredError,
    );
    await expect(
      kit.mfa.disable(kit.caller, PASSWORD, '123456', kit.client),
    ).rejects.toBeInstanceOf(MfaNotEnabledError);
    await kit.enable();
    await expect(kit.mfa.setup(kit.caller, PASSWORD, kit.client)).rejects.toBeInstanceOf(
      MfaAlreadyEnabledError,
    );
    await expect(kit.mfa.enable(kit.caller, await kit.code(), kit.client)).rejects.toBeInstanceOf(
      MfaAlreadyEnabledError,
    );
  });

  it('limits a signed-in caller’s wrong codes like wrong passwords', async () => {
    const kit = await mfaKit();
    await kit.setUp();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(kit.mfa.enable(kit.caller, '000000', kit.client)).rejects.toBeInstanceOf(
        MfaCodeInvalidError,
      );
    }
    await expect(kit.mfa.enable(kit.caller, await kit.code(), kit.client)).rejects.toBeInstanceOf(
      TooManyRequestsError,
    );
  });

  it('ends the other sessions at enable and disable, and every session at an admin reset', async () => {
    const kit = await mfaKit();
    const authenticate = (accessToken: string) => kit.callerOf(accessToken);
    const other = signedIn(await kit.auth.login(kit.user, kit.client));
    await kit.enable();
    await expect(authenticate(other.tokens.accessToken)).rejects.toThrow('blacklisted');
    await expect(authenticate(kit.tokens.accessToken)).resolves.toMatchObject({
      userId: kit.user.id,
    });

    const another = signedIn(await kit.auth.login(kit.user, kit.client).catch(() => kit.signIn()));
    await kit.mfa.disable(kit.caller, PASSWORD, await kit.code(), kit.client);
    expect((await kit.users.getAccount(kit.user.id)).mfaEnabled).toBe(false);
    expect(kit.mfaFactors.factors.has(kit.user.id)).toBe(false);
    await expect(authenticate(another.tokens.accessToken)).rejects.toThrow('blacklisted');
    await expect(authenticate(kit.tokens.accessToken)).resolves.toBeDefined();

    kit.clock.advance(STEP_MS);
    await kit.enable();
    const account = await kit.mfa.reset(kit.caller, kit.user.id, kit.client);
    expect(account.mfaEnabled).toBe(false);
    await expect(authenticate(kit.tokens.accessToken)).rejects.toThrow('blacklisted');
  });
});
