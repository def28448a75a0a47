import { loggableError } from '../../common/logging';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../../common/config';
import { PruneService } from '../application/prune.service';

const JOB_NAME = 'prune-expired-auth-records';

/** Runs the prune on BLACKLIST_PRUNE_CRON; the lock inside makes one instance do the work. */
@Injectable()
export class PruneScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('PruneScheduler');

  constructor(
    private readonly prune: PruneService,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const job = CronJob.from({
      cronTime: this.config.prune.cron,
      onTick: () => this.run(),
      start: true,
    });
    this.registry.addCronJob(JOB_NAME, job);
  }

  private async run(): Promise<void> {
    try {
      await this.prune.pruneExpired();
    } catch (error) {
      this.logger.error(
        { err: loggableError(error) },
        'Prune failed; it runs again at the next tick',
      );
    }
  }
}
