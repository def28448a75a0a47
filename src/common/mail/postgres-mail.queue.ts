import { randomUUID } from 'node:crypto';
import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PinoLogger } from 'nestjs-pino';
import { TypeOrmTransactionContext } from '../database';
import { loggableError } from '../logging/loggable-error';
import { MailJobOrmEntity } from './mail-job.orm-entity';
import { type MailComposer, type MailJobPayload, MailQueue } from './mail-queue';
import { MailTransport } from './mail-transport';

/** How often every instance looks for due jobs (retries, and jobs another instance left). */
export const MAIL_QUEUE_POLL_MS = 1000;
/** Tries before a job is given up: the backoff doubles from 30 s, about an hour in all. */
export const MAIL_MAX_ATTEMPTS = 8;
const FIRST_RETRY_SECONDS = 30;
const LEASE_SECONDS = 120;
const BATCH_SIZE = 20;

interface ClaimedJob {
  readonly id: string;
  readonly kind: string;
  readonly payload: MailJobPayload;
  readonly requestId: string | null;
  readonly attempts: number;
}

/**
 * The mail queue as a PostgreSQL table rather than a Redis list: a job is written in the same
 * transaction as the change that causes it (an account and its verification mail exist together
 * or not at all), it survives a restart of either store, and `FOR UPDATE SKIP LOCKED` lets every
 * instance send without two sending one mail. Jobs are picked up right after their commit, and
 * by a poll each second for retries.
 */
@Injectable()
export class PostgresMailQueue
  extends MailQueue
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('MailQueue');
  private readonly composers = new Map<string, MailComposer>();
  private draining: Promise<void> | null = null;
  private drainAgain = false;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly context: TypeOrmTransactionContext,
    private readonly transport: MailTransport,
    private readonly pino: PinoLogger,
    private readonly registry: SchedulerRegistry,
  ) {
    super();
  }

  handle(kind: string, composer: MailComposer): void {
    if (this.composers.has(kind)) throw new Error(`Mail kind ${kind} has a composer already`);
    this.composers.set(kind, composer);
  }

  async enqueue(kind: string, payload: MailJobPayload): Promise<void> {
    const requestId = this.pino.logger.bindings()['requestId'] as string | undefined;
    await this.context
      .repository(MailJobOrmEntity)
      .insert({ id: randomUUID(), kind, payload, requestId: requestId ?? null });
    // Out of the request's logging context: the pass may send other requests' mails, and each
    // failure names the request that asked for its mail.
    this.context.afterCommit(() => void this.pino.runInContext(() => this.drain()));
  }

  onApplicationBootstrap(): void {
    // Registered, so the scheduler clears it at shutdown with the other jobs.
    this.registry.addInterval(
      'mail-queue',
      setInterval(() => void this.drain(), MAIL_QUEUE_POLL_MS),
    );
  }

  /** Sends every due job; one pass at a time here, and a kick during a pass runs one more. */
  drain(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.draining) {
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = this.sendDueJobs().finally(() => {
      this.draining = null;
      if (this.drainAgain) {
        this.drainAgain = false;
        void this.drain();
      }
    });
    return this.draining;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.draining;
  }

  private async sendDueJobs(): Promise<void> {
    try {
      for (;;) {
        const jobs = await this.claimDueJobs();
        for (const job of jobs) await this.send(job);
        if (jobs.length < BATCH_SIZE || this.stopped) break;
      }
      this.failing = false;
    } catch (error) {
      // A database outage: say so once, not every second; the jobs wait in the table.
      if (!this.failing) {
        this.logger.error({ err: loggableError(error) }, 'Mail queue cannot reach its table');
      }
      this.failing = true;
    }
  }

  private async claimDueJobs(): Promise<ClaimedJob[]> {
    // An UPDATE answers [rows, count] through TypeORM.
    const [jobs] = (await this.context.manager().query(
      `UPDATE mail_jobs SET attempts = attempts + 1, locked_until = now() + make_interval(secs => $1)
       WHERE id IN (
         SELECT id FROM mail_jobs
         WHERE next_attempt_at <= now() AND (locked_until IS NULL OR locked_until <= now())
         ORDER BY next_attempt_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED)
       RETURNING id, kind, payload, request_id AS "requestId", attempts`,
      [LEASE_SECONDS, BATCH_SIZE],
    )) as [ClaimedJob[], number];
    return jobs;
  }

  private async send(job: ClaimedJob): Promise<void> {
    const composer = this.composers.get(job.kind);
    try {
      // A kind this instance does not know (a newer instance queued it) waits for one that does.
      if (!composer) throw new Error(`No composer for mail kind ${job.kind}`);
      const mail = await composer(job.payload);
      if (mail) await this.transport.send(mail);
      await this.remove(job.id);
    } catch (error) {
      await this.retryOrDrop(job, error);
    }
  }

  private async retryOrDrop(job: ClaimedJob, error: unknown): Promise<void> {
    const fields = {
      err: loggableError(error),
      kind: job.kind,
      attempt: job.attempts,
      requestId: job.requestId ?? undefined,
    };
    if (job.attempts >= MAIL_MAX_ATTEMPTS) {
      await this.remove(job.id);
      this.logger.error(fields, 'Mail could not be sent and was given up');
      return;
    }
    const delaySeconds = FIRST_RETRY_SECONDS * 2 ** (job.attempts - 1);
    await this.context.manager().query(
      `UPDATE mail_jobs SET locked_until = NULL, last_error = $2,
         next_attempt_at = now() + make_interval(secs => $3)
       WHERE id = $1`,
      [job.id, String((error as Error).message).slice(0, 500), delaySeconds],
    );
    this.logger.warn(
      { ...fields, retryInSeconds: delaySeconds },
      'Mail could not be sent; retrying',
    );
  }

  private async remove(id: string): Promise<void> {
    await this.context.repository(MailJobOrmEntity).delete({ id });
  }
}
