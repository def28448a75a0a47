import { randomBytes } from 'node:crypto';
import type { MfaChallenge, MfaChallengeStore } from '../../src/auth/domain/mfa-challenge.store';

export interface MfaChallengeStoreFixture {
  /** Holding no challenge yet. */
  readonly challenges: MfaChallengeStore;
  /** Lets `seconds` pass, as the store counts time. */
  elapse(seconds: number): Promise<void>;
}

const CHALLENGE: MfaChallenge = {
  userId: '0b7e4a3c-8a44-4b1e-9d40-6f6b2f1a2c3d',
  emailKey: 'e'.repeat(64),
  tokensValidAfter: new Date('2026-12-05T12:00:00.123Z'),
};
const aTokenHash = () => randomBytes(32).toString('hex');

/** What every `MfaChallengeStore` does, the in-memory fake as much as Redis. */
export function describeMfaChallengeStoreContract(
  name: string,
  setup: () => Promise<MfaChallengeStoreFixture>,
): void {
  describe(`${name} keeps the MfaChallengeStore contract`, () => {
    let fixture: MfaChallengeStoreFixture;
    let challenges: MfaChallengeStore;

    beforeEach(async () => {
      fixture = await setup();
      challenges = fixture.challenges;
    });

    it('gives a challenge back as issued, until it is consumed, once', async () => {
      const key = aTokenHash();
      expect(await challenges.claimAttempt(key, 5)).toBeNull();
      await challenges.issue(key, CHALLENGE, 300);
      expect(await challenges.claimAttempt(key, 5)).toEqual(CHALLENGE);
      expect(await challenges.claimAttempt(aTokenHash(), 5)).toBeNull();

      const outcomes = await Promise.all([challenges.consume(key), challenges.consume(key)]);
      expect(outcomes.sort()).toEqual([false, true]);
      expect(await challenges.claimAttempt(key, 5)).toBeNull();
    });

    it('forgets a challenge at its lifetime', async () => {
      const key = aTokenHash();
      await challenges.issue(key, CHALLENGE, 1);
      await fixture.elapse(1.2);
      expect(await challenges.claimAttempt(key, 5)).toBeNull();
      expect(await challenges.consume(key)).toBe(false);
    });

    it('allows a challenge its attempts and not one more, however many arrive at once', async () => {
      const key = aTokenHash();
      await challenges.issue(key, CHALLENGE, 300);
      const claims = await Promise.all(
        Array.from({ length: 12 }, () => challenges.claimAttempt(key, 3)),
      );
      expect(claims.filter(Boolean)).toEqual([CHALLENGE, CHALLENGE, CHALLENGE]);
      expect(await challenges.claimAttempt(key, 3)).toBeNull();
      expect(await challenges.consume(key)).toBe(false);
    });
  });
}
