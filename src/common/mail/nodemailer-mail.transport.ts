import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { AppConfig } from '../config';
import { MailTransport } from './mail-transport';
import type { OutgoingMail } from './outgoing-mail';

/**
 * nodemailer over `SMTP_URL` (`smtps://` is TLS from the first byte). Without one, each mail is
 * built the same way and written as an `.eml` file to `MAIL_OUTBOX_DIR`, so a first run needs no
 * mail server and a developer can open what would have been sent.
 */
@Injectable()
export class NodemailerMailTransport
  extends MailTransport
  implements OnModuleInit, OnModuleDestroy
{
  private readonly logger = new Logger('Mail');
  private readonly transporter: Transporter;
  private readonly outboxDir: string | null;

  constructor(config: AppConfig) {
    super();
    const { smtpUrl, from } = config.mail;
    this.outboxDir = smtpUrl ? null : config.mail.outboxDir;
    this.transporter = smtpUrl
      ? createTransport(
          // Bounded, so a mail server that hangs delays the queue, never holds it for minutes.
          {
            url: smtpUrl,
            connectionTimeout: 10_000,
            greetingTimeout: 10_000,
            socketTimeout: 30_000,
          },
          { from },
        )
      : createTransport({ streamTransport: true, buffer: true }, { from });
  }

  async onModuleInit(): Promise<void> {
    if (!this.outboxDir) return;
    // The files hold one-time links: readable by the service's user only.
    await mkdir(this.outboxDir, { recursive: true, mode: 0o700 });
    this.logger.warn(
      { outboxDir: this.outboxDir },
      'SMTP_URL is not set: mails are written to MAIL_OUTBOX_DIR as .eml files, not sent',
    );
  }

  async send(mail: OutgoingMail): Promise<void> {
    const sent = await this.transporter.sendMail({ ...mail });
    if (!this.outboxDir) return;
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`;
    await writeFile(join(this.outboxDir, name), sent.message as Buffer, { mode: 0o600 });
  }

  onModuleDestroy(): void {
    this.transporter.close();
  }
}
