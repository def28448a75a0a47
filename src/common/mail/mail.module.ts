import { Global, Module } from '@nestjs/common';
import { MailQueue } from './mail-queue';
import { MailTransport } from './mail-transport';
import { NodemailerMailTransport } from './nodemailer-mail.transport';
import { PostgresMailQueue } from './postgres-mail.queue';

/** Mail for every module: queue a job, register how its kind is composed. */
@Global()
@Module({
  providers: [
    PostgresMailQueue,
    { provide: MailQueue, useExisting: PostgresMailQueue },
    { provide: MailTransport, useClass: NodemailerMailTransport },
  ],
  exports: [MailQueue],
})
export class MailModule {}
