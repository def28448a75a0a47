import type {
  AccountState,
  AuthState,
  SessionState,
  TokenState,
} from '../../../src/auth/domain/access-decision';
import { AuthStateCache } from '../../../src/auth/domain/auth-state.cache';
import type { AccessClaims } from '../../../src/auth/domain/tokens';
import { ServiceUnavailableError } from '../../../src/common/errors';
import type { UserAccount } from '../../../src/users';

/**
 * A cache that can lose its memory or become unreachable, like Redis; unreachable, it fails as
 * the Redis adapter does once it has translated the outage. Tokens and sessions are held under
 * their user, as the adapter keeps them in the user's slot: `entryOf(userId, id)`.
 */
export class InMemoryAuthStateCache extends AuthStateCache<UserAccount> {
  readonly tokens = new Map<string, TokenState>();
  readonly sessions = new Map<string, SessionState>();
  /** By user id; null is a deleted account. */
  readonly accounts = new Map<string, AccountState<UserAccount>>();
  unreachable = false;
  reads = 0;

  async read(claims: AccessClaims): Promise<Partial<AuthState<UserAccount>>> {
    this.check();
    this.reads++;
    const token = this.tokens.get(entryOf(claims.userId, claims.tokenId));
    const session = this.sessions.get(entryOf(claims.userId, claims.sessionId));
    const account = this.accounts.get(claims.userId);
    return {
      ...(token && { token }),
      ...(session && { session }),
      ...(account !== undefined && { account }),
    };
  }

  async fill(claims: AccessClaims, parts: Partial<AuthState<UserAccount>>): Promise<void> {
    this.check();
    const tokenEntry = entryOf(claims.userId, claims.tokenId);
    const sessionEntry = entryOf(claims.userId, claims.sessionId);
    if (parts.token && !this.tokens.has(tokenEntry)) this.tokens.set(tokenEntry, parts.token);
    if (parts.session && !this.sessions.has(sessionEntry))
      this.sessions.set(sessionEntry, parts.session);
    if (parts.account !== undefined && !this.accounts.has(claims.userId))
      this.accounts.set(claims.userId, parts.account);
  }

  async revokeToken(userId: string, tokenId: string): Promise<void> {
    this.check();
    this.tokens.set(entryOf(userId, tokenId), 'revoked');
  }

  async putSessions(userId: string, states: ReadonlyMap<string, SessionState>): Promise<void> {
    this.check();
    for (const [id, state] of states) {
      const entry = entryOf(userId, id);
      if (state.active && this.sessions.get(entry)?.active === false) continue;
      this.sessions.set(entry, state);
    }
  }

  async putAccount(userId: string, account: AccountState<UserAccount>): Promise<void> {
    this.check();
    const revision = (value: AccountState<UserAccount>) => value?.revision ?? Infinity;
    const current = this.accounts.get(userId);
    if (current !== undefined && revision(current) > revision(account)) return;
    this.accounts.set(userId, account);
  }

  flush(): void {
    this.tokens.clear();
    this.sessions.clear();
    this.accounts.clear();
  }

  private check(): void {
    if (this.unreachable) throw new ServiceUnavailableError();
  }
}

/** The key of a user's token or session in the fake's maps. */
export const entryOf = (userId: string, id: string) => `${userId}/${id}`;
