import type {
  AuthState,
  SessionState,
  TokenState,
  UserState,
} from '../../../src/auth/domain/access-decision';
import { AuthStateCache } from '../../../src/auth/domain/auth-state.cache';
import type { AccessClaims } from '../../../src/auth/domain/tokens';
import { ServiceUnavailableError } from '../../../src/common/errors';

/**
 * A cache that can lose its memory or become unreachable, like Redis; unreachable, it fails as
 * the Redis adapter does once it has translated the outage. Tokens and sessions are held under
 * their user, as the adapter keeps them in the user's slot: `entryOf(userId, id)`.
 */
export class InMemoryAuthStateCache extends AuthStateCache {
  readonly tokens = new Map<string, TokenState>();
  readonly sessions = new Map<string, SessionState>();
  readonly users = new Map<string, UserState>();
  unreachable = false;
  reads = 0;

  async read(claims: AccessClaims): Promise<Partial<AuthState>> {
    this.check();
    this.reads++;
    const token = this.tokens.get(entryOf(claims.userId, claims.tokenId));
    const session = this.sessions.get(entryOf(claims.userId, claims.sessionId));
    const user = this.users.get(claims.userId);
    return { ...(token && { token }), ...(session && { session }), ...(user && { user }) };
  }

  async fill(claims: AccessClaims, parts: Partial<AuthState>): Promise<void> {
    this.check();
    const tokenEntry = entryOf(claims.userId, claims.tokenId);
    const sessionEntry = entryOf(claims.userId, claims.sessionId);
    if (parts.token && !this.tokens.has(tokenEntry)) this.tokens.set(tokenEntry, parts.token);
    if (parts.session && !this.sessions.has(sessionEntry))
      this.sessions.set(sessionEntry, parts.session);
    if (parts.user && !this.users.has(claims.userId)) this.users.set(claims.userId, parts.user);
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

  async putUser(userId: string, state: UserState): Promise<void> {
    this.check();
    const version = (value?: UserState) =>
      value?.tokensValidAfter?.getTime() ?? Number.MAX_SAFE_INTEGER;
    const current = this.users.get(userId);
    if (current && version(current) > version(state)) return;
    this.users.set(userId, state);
  }

  flush(): void {
    this.tokens.clear();
    this.sessions.clear();
    this.users.clear();
  }

  private check(): void {
    if (this.unreachable) throw new ServiceUnavailableError();
  }
}

/** The key of a user's token or session in the fake's maps. */
export const entryOf = (userId: string, id: string) => `${userId}/${id}`;
