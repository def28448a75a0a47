import { type MfaChallenge, MfaChallengeStore } from '../../../src/auth/domain/mfa-challenge.store';
import type { Clock } from '../../../src/common/time';

interface Entry {
  readonly challenge: MfaChallenge;
  readonly expiresAt: number;
  failures: number;
}

/** Pending logins that expire by the given clock, as Redis expires its keys. */
export class InMemoryMfaChallengeStore extends MfaChallengeStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {
    super();
  }

  async issue(tokenHash: string, challenge: MfaChallenge, ttlSeconds: number): Promise<void> {
    const expiresAt = this.clock.now().getTime() + ttlSeconds * 1000;
    this.entries.set(tokenHash, { challenge, expiresAt, failures: 0 });
  }

  async find(tokenHash: string): Promise<MfaChallenge | null> {
    return this.live(tokenHash)?.challenge ?? null;
  }

  async recordFailure(tokenHash: string, maxFailures: number): Promise<void> {
    const entry = this.live(tokenHash);
    if (!entry) return;
    entry.failures += 1;
    if (entry.failures >= maxFailures) this.entries.delete(tokenHash);
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
