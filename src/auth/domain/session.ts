export type SessionEndReason =
  | 'logout'
  | 'logout_all'
  | 'session_ended'
  | 'refresh_reused'
  | 'password_change'
  | 'user_disabled'
  | 'user_deleted';

export interface SessionProps {
  readonly id: string;
  readonly userId: string;
  /** The `jti` of the one refresh token that may rotate this session now. */
  refreshJti: string;
  readonly createdAt: Date;
  lastUsedAt: Date;
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
    lifetimeSeconds: number;
    ip: string | null;
    userAgent: string | null;
  }): Session {
    return new Session({
      id: input.id,
      userId: input.userId,
      refreshJti: input.refreshJti,
      createdAt: input.now,
      lastUsedAt: input.now,
      expiresAt: new Date(input.now.getTime() + input.lifetimeSeconds * 1000),
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
    return this.props.revokedAt === null && this.props.expiresAt.getTime() > now.getTime();
  }

  belongsTo(userId: string): boolean {
    return this.props.userId === userId;
  }

  toProps(): SessionProps {
    return { ...this.props };
  }
}
