import { Injectable, Logger } from '@nestjs/common';
import { AuditTrail } from '../../common/audit';
import { AppConfig } from '../../common/config';
import { JobLock } from '../../common/database';
import { Clock } from '../../common/time';
import { AccountEmailService } from '../../users';
import { SessionRepository } from '../domain/session.repository';
import { TokenBlacklist } from '../domain/token-blacklist';

/** Sessions are kept this long after they expire, for the sessions history, then deleted. */
export const SESSION_RETENTION_MS = 24 * 3600 * 1000;
const PRUNE_LOCK = 'prune-expired-auth-records';

export type PruneOutcome =
  | {
      readonly ran: true;
      readonly blacklistDeleted: number;
      readonly sessionsDeleted: number;
      readonly accountTokensDeleted: number;
      readonly auditEventsDeleted: number;
    }
  | { readonly ran: false };

/**
 * Deletes blacklist entries whose tokens have expired, long-expired sessions, used or expired
 * mailed tokens, and audit rows past `AUDIT_RETENTION`, in batches (short transactions, no long
 * locks), on one instance at a time.
 */
@Injectable()
export class PruneService {
  private readonly logger = new Logger('PruneService');

  constructor(
    private readonly blacklist: TokenBlacklist,
    private readonly sessions: SessionRepository,
    private readonly accountEmail: AccountEmailService,
    private readonly auditTrail: AuditTrail,
    private readonly lock: JobLock,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async pruneExpired(): Promise<PruneOutcome> {
    const started = Date.now();
    const outcome = await this.lock.runExclusive(PRUNE_LOCK, async () => {
      const now = this.clock.now();
      const blacklistDeleted = await this.inBatches((limit) =>
        this.blacklist.deleteExpired(now, limit),
      );
      const sessionCutoff = new Date(now.getTime() - SESSION_RETENTION_MS);
      const sessionsDeleted = await this.inBatches((limit) =>
        this.sessions.deleteExpired(sessionCutoff, limit),
      );
      const accountTokensDeleted = await this.inBatches((limit) =>
        this.accountEmail.deleteSpentTokens(now, limit),
      );
      const auditCutoff = new Date(now.getTime() - this.config.prune.auditRetentionSeconds * 1000);
      const auditEventsDeleted = await this.inBatches((limit) =>
        this.auditTrail.deleteOlderThan(auditCutoff, limit),
      );
      return { blacklistDeleted, sessionsDeleted, accountTokensDeleted, auditEventsDeleted };
    });
    if (!outcome.ran) {
      this.logger.log({ event: 'prune.skipped' }, 'Prune skipped: another instance holds the lock');
      return { ran: false };
    }
    this.logger.log(
      { event: 'prune.completed', ...outcome.result, durationMs: Date.now() - started },
      'Pruned expired blacklist entries, sessions, mailed tokens and audit rows',
    );
    return { ran: true, ...outcome.result };
  }

  private async inBatches(deleteBatch: (limit: number) => Promise<number>): Promise<number> {
    const limit = this.config.prune.batchSize;
    let total = 0;
    for (;;) {
      const deleted = await deleteBatch(limit);
      total += deleted;
      if (deleted < limit) return total;
    }
  }
}
