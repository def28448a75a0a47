export type SessionEndReason =
  | 'logout'
  | 'logout_all'
  | 'session_ended'
  | 'refresh_reused'
  | 'password_change'
  | 'password_reset'
  | 'user_disabled'
  | 'user_deleted'
  | 'mfa_enabled'
  | 'mfa_disabled'
  | 'mfa_reset';

/** How long a session lives: `idleSeconds` past its last refresh, never past `maxSeconds` from login. */
export interface SessionLifetime {
  readonly idleSeconds: number;
  readonly maxSeconds: number;
}

/**
 * What the session's current refresh token says besides its ids. Signing the same claims with the
 * same key gives the same string, so the token can be answered again without being stored.
 */
export interface RefreshGrant {
  readonly jti: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export interface SessionProps {
  readonly id: string;
  readonly userId: string;
  /** The `jti` of the one refresh token that may rotate this session now. */
  refreshJti: string;
  /** When that token was signed (its `iat`); its `exp` is the session's `expiresAt`. */
  refreshIssuedAt: Date;
  /** The refresh token the last rotation replaced, and when: for the reuse interval. */
  previousRefreshJti: string | null;
  rotatedAt: Date | null;
  readonly createdAt: Date;
  lastUsedAt: Date;
  /** The current refresh token's `exp`, in whole seconds like the token. */
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: SessionEndReason | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/** A signed-in device: one refresh token chain, ended by expiry or revocation. */
export class Session {
  private constructor(private readonly props: SessionProps) {}

  static open(input: {
    id: string;
    userId: string;
    refreshJti: string;
    now: Date;
    lifetime: SessionLifetime;
    ip: string | null;
    userAgent: string | null;
  }): Session {
    return new Session({
      id: input.id,
      userId: input.userId,
      refreshJti: input.refreshJti,
      refreshIssuedAt: wholeSeconds(input.now),
      previousRefreshJti: null,
      rotatedAt: null,
      createdAt: input.now,
      lastUsedAt: input.now,
      expiresAt: nextExpiry(input.now, input.now, input.lifetime),
      revokedAt: null,
      revokedReason: null,
      ip: input.ip,
      userAgent: input.userAgent,
    });
  }

  static restore(props: SessionProps): Session {
    return new Session({ ...props });
  }

  get id(): string {
    return this.props.id;
  }
  get userId(): string {
    return this.props.userId;
  }
  get refreshJti(): string {
    return this.props.refreshJti;
  }
  get refreshGrant(): RefreshGrant {
    return {
      jti: this.props.refreshJti,
      issuedAt: this.props.refreshIssuedAt,
      expiresAt: this.props.expiresAt,
    };
  }
  get previousRefreshJti(): string | null {
    return this.props.previousRefreshJti;
  }
  get rotatedAt(): Date | null {
    return this.props.rotatedAt;
  }
  get createdAt(): Date {
    return this.props.createdAt;
  }
  get lastUsedAt(): Date {
    return this.props.lastUsedAt;
  }
  get expiresAt(): Date {
    return this.props.expiresAt;
  }
  get revokedAt(): Date | null {
    return this.props.revokedAt;
  }
  get revokedReason(): SessionEndReason | null {
    return this.props.revokedReason;
  }
  get ip(): string | null {
    return this.props.ip;
  }
  get userAgent(): string | null {
    return this.props.userAgent;
  }

  isActive(now: Date): boolean {
    return this.props.revokedAt === null && !hasEnded(this.props.expiresAt, now);
  }

  belongsTo(userId: string): boolean {
    return this.props.userId === userId;
  }

  /**
   * Moves the session to the refresh token `nextJti`: the expiry slides by the idle lifetime, but
   * never past the absolute end. The repository saves it only if no other rotation came first.
   */
  rotate(nextJti: string, now: Date, lifetime: SessionLifetime): void {
    Object.assign(this.props, {
      previousRefreshJti: this.props.refreshJti,
      rotatedAt: now,
      refreshJti: nextJti,
      refreshIssuedAt: wholeSeconds(now),
      lastUsedAt: now,
      expiresAt: nextExpiry(this.props.createdAt, now, lifetime),
    });
  }

  /**
   * The refresh token that replaced `jti`, when `jti` is the token the last rotation replaced and
   * comes back within `intervalSeconds` of it (a lost answer, two tabs refreshing at once);
   * null for anything else, which is reuse.
   */
  successorOf(jti: string, now: Date, intervalSeconds: number): RefreshGrant | null {
    const { previousRefreshJti, rotatedAt } = this.props;
    const recent =
      rotatedAt !== null && now.getTime() - rotatedAt.getTime() <= intervalSeconds * 1000;
    return intervalSeconds > 0 && previousRefreshJti === jti && recent ? this.refreshGrant : null;
  }

  toProps(): SessionProps {
    return { ...this.props };
  }
}

/** A session ends at its `expiresAt`: from that instant on, it opens nothing. */
export function hasEnded(expiresAt: Date, now: Date): boolean {
  return expiresAt.getTime() <= now.getTime();
}

/** JWT times are whole seconds; the session's expiry matches its refresh token's `exp` exactly. */
function wholeSeconds(time: Date): Date {
  return new Date(Math.floor(time.getTime() / 1000) * 1000);
}

function nextExpiry(createdAt: Date, now: Date, lifetime: SessionLifetime): Date {
  const idleEnd = now.getTime() + lifetime.idleSeconds * 1000;
  const absoluteEnd = createdAt.getTime() + lifetime.maxSeconds * 1000;
  return wholeSeconds(new Date(Math.min(idleEnd, absoluteEnd)));
}
