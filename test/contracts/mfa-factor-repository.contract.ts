import type { MfaFactorRepository } from '../../src/auth/domain/mfa-factor.repository';
import type { SealedSecret, TotpFactor } from '../../src/auth/domain/totp-factor';

export interface MfaFactorRepositoryFixture {
  /** Holding no factor yet. */
  readonly factors: MfaFactorRepository;
  /** A new user for a factor to belong to: the record refuses a factor without its user. */
  registerUser(): Promise<string>;
}

const T0 = Date.parse('2026-12-05T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const sealed = (text: string, keyId = 'aaaaaaaaaaaaaaaa'): SealedSecret => ({
  keyId,
  ciphertext: `v1.${text}`,
});

/** What every `MfaFactorRepository` does, the in-memory fake as much as PostgreSQL. */
export function describeMfaFactorRepositoryContract(
  name: string,
  setup: () => Promise<MfaFactorRepositoryFixture>,
): void {
  describe(`${name} keeps the MfaFactorRepository contract`, () => {
    let factors: MfaFactorRepository;
    let registerUser: () => Promise<string>;
    let userId: string;

    beforeEach(async () => {
      const fixture = await setup();
      factors = fixture.factors;
      registerUser = () => fixture.registerUser();
      userId = await registerUser();
    });

    const pending = (secret: SealedSecret, owner = userId): TotpFactor => ({
      userId: owner,
      secret,
      enabledAt: null,
      lastUsedStep: null,
      createdAt: at(0),
    });

    async function enabled(secret = sealed('one'), step = 100): Promise<void> {
      await factors.savePending(pending(secret));
      expect(await factors.confirm(userId, secret, step, at(10))).toBe(true);
    }

    it('keeps one pending setup per user, the newest, until one is confirmed', async () => {
      expect(await factors.findByUser(userId)).toBeNull();
      expect(await factors.savePending(pending(sealed('first')))).toBe(true);
      expect(await factors.savePending(pending(sealed('second')))).toBe(true);
      expect(await factors.findByUser(userId)).toEqual(pending(sealed('second')));

      // The first setup's code arrives late: it confirms nothing.
      expect(await factors.confirm(userId, sealed('first'), 100, at(10))).toBe(false);
      expect(await factors.confirm(userId, sealed('second'), 100, at(10))).toBe(true);
      expect(await factors.findByUser(userId)).toEqual({
        ...pending(sealed('second')),
        enabledAt: at(10),
        lastUsedStep: 100,
      });
      expect(await factors.confirm(userId, sealed('second'), 101, at(11))).toBe(false);
      expect(await factors.savePending(pending(sealed('third')))).toBe(false);
      expect((await factors.findByUser(userId))?.secret).toEqual(sealed('second'));
    });

    it('spends each time step once, and never one before the last spent', async () => {
      await enabled(sealed('one'), 100);
      expect(await factors.spendStep(userId, 100)).toBe(false);
      expect(await factors.spendStep(userId, 99)).toBe(false);
      expect(await factors.spendStep(userId, 102)).toBe(true);
      expect(await factors.spendStep(userId, 101)).toBe(false);
      expect((await factors.findByUser(userId))?.lastUsedStep).toBe(102);
      expect(await factors.spendStep(await registerUser(), 103)).toBe(false);
    });

    it('lets exactly one of concurrent spends of one step through', async () => {
      await enabled(sealed('one'), 100);
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () => factors.spendStep(userId, 101)),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(1);
    });

    it('spends each recovery code once, replaces the set, and removes it with the factor', async () => {
      await enabled();
      await factors.replaceRecoveryCodes(userId, ['a'.repeat(64), 'b'.repeat(64)]);
      const [first, second] = await Promise.all([
        factors.spendRecoveryCode(userId, 'a'.repeat(64), at(20)),
        factors.spendRecoveryCode(userId, 'a'.repeat(64), at(20)),
      ]);
      expect([first, second].filter(Boolean)).toHaveLength(1);
      expect(await factors.spendRecoveryCode(userId, 'c'.repeat(64), at(20))).toBe(false);
      expect(await factors.spendRecoveryCode(await registerUser(), 'b'.repeat(64), at(20))).toBe(
        false,
      );

      await factors.replaceRecoveryCodes(userId, ['c'.repeat(64)]);
      expect(await factors.spendRecoveryCode(userId, 'b'.repeat(64), at(21))).toBe(false);
      expect(await factors.spendRecoveryCode(userId, 'c'.repeat(64), at(21))).toBe(true);

      await factors.replaceRecoveryCodes(userId, ['d'.repeat(64)]);
      await factors.delete(userId);
      expect(await factors.findByUser(userId)).toBeNull();
      expect(await factors.spendRecoveryCode(userId, 'd'.repeat(64), at(22))).toBe(false);
    });

    it('finds the secrets sealed under other keys, page by page, and re-seals them once', async () => {
      const [first, second, current] = [userId, await registerUser(), await registerUser()];
      await factors.savePending(pending(sealed('old-1', 'old0000000000000'), first));
      await factors.savePending(pending(sealed('old-2', 'old0000000000000'), second));
      await factors.savePending(pending(sealed('new', 'new0000000000000'), current));

      const page1 = await factors.findSealedUnderOtherKeys('new0000000000000', null, 1);
      const page2 = await factors.findSealedUnderOtherKeys('new0000000000000', page1[0].userId, 1);
      const page3 = await factors.findSealedUnderOtherKeys('new0000000000000', page2[0].userId, 1);
      expect([...page1, ...page2].map((factor) => factor.userId).sort()).toEqual(
        [first, second].sort(),
      );
      expect(page3).toEqual([]);

      const to = sealed('new-1', 'new0000000000000');
      expect(await factors.reseal(first, sealed('old-1', 'old0000000000000'), to)).toBe(true);
      expect(await factors.reseal(first, sealed('old-1', 'old0000000000000'), to)).toBe(false);
      expect((await factors.findByUser(first))?.secret).toEqual(to);
    });
  });
}
