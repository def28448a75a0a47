import { type MfaChallenge, MfaChallengeStore } from '../../../src/auth/domain/mfa-challenge.store';
import type { Clock } from '../../../src/common/time';

interface Entry {
  readonly challenge: MfaChallenge;
  readonly expiresAt: number;
  attempts: number;
}

/** Pending logins that expire by the given clock, as Redis expires its keys. */
export class InMemoryMfaChallengeStore extends MfaChallengeStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {
    super();
  }

  async issue(tokenHash: string, challenge: MfaChallenge, ttlSeconds: number): Promise<void> {
    const expiresAt = this.clock.now().getTime() + ttlSeconds * 1000;
    this.entries.set(tokenHash, { challenge, expiresAt, attempts: 0 });
  }

  async claimAttempt(tokenHash: string, maxAttempts: number): Promise<MfaChallenge | null> {
    const entry = this.live(tokenHash);
    if (!entry) return null;
    entry.attempts += 1;
    if (entry.attempts <= maxAttempts) return entry.challenge;
    this.entries.delete(tokenHash);
    return null;
  }

  async consume(tokenHash: string): Promise<boolean> {
    const alive = this.live(tokenHash) !== undefined;
    this.entries.delete(tokenHash);
    return alive;
  }

  private live(tokenHash: string): Entry | undefined {
    const entry = this.entries.get(tokenHash);
    if (entry && entry.expiresAt <= this.clock.now().getTime()) this.entries.delete(tokenHash);
    return this.entries.get(tokenHash);
  }
}
