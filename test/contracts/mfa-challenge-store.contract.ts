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
      expect(await challenges.find(key)).toBeNull();
      await challenges.issue(key, CHALLENGE, 300);
      expect(await challenges.find(key)).toEqual(CHALLENGE);
      expect(await challenges.find(aTokenHash())).toBeNull();

      const outcomes = await Promise.all([challenges.consume(key), challenges.consume(key)]);
      expect(outcomes.sort()).toEqual([false, true]);
      expect(await challenges.find(key)).toBeNull();
    });

    it('forgets a challenge at its lifetime', async () => {
      const key = aTokenHash();
      await challenges.issue(key, CHALLENGE, 1);
      await fixture.elapse(1.2);
      expect(await challenges.find(key)).toBeNull();
      expect(await challenges.consume(key)).toBe(false);
    });

    it('ends a challenge at its last allowed failure, and not before', async () => {
      const key = aTokenHash();
      await challenges.issue(key, CHALLENGE, 300);
      for (let failure = 1; failure < 3; failure += 1) {
        await challenges.recordFailure(key, 3);
        expect(await challenges.find(key)).toEqual(CHALLENGE);
      }
      await challenges.recordFailure(key, 3);
      expect(await challenges.find(key)).toBeNull();
      // A failure against a challenge that is gone brings nothing back.
      await challenges.recordFailure(key, 3);
      expect(await challenges.find(key)).toBeNull();
    });
  });
}
