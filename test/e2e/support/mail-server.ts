import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { until } from './polling';

/** A mail as the server received it, parsed. */
export interface ReceivedMail {
  readonly to: string[];
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly raw: string;
}

/**
 * A real SMTP server on a free loopback port (the nodemailer project's `smtp-server`): the
 * service under test sends to it over SMTP, and tests read what arrived.
 */
export class TestMailServer {
  readonly received: ReceivedMail[] = [];
  /** Addresses whose next N deliveries get a temporary failure (451), as a struggling server's. */
  private readonly refusals = new Map<string, number>();

  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const recipient = session.envelope.rcptTo[0]?.address ?? '';
        const refusals = this.refusals.get(recipient) ?? 0;
        if (refusals > 0) {
          this.refusals.set(recipient, refusals - 1);
          return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
        }
        const raw = Buffer.concat(chunks);
        void simpleParser(raw).then((parsed: ParsedMail) => {
          this.received.push({
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            raw: raw.toString('utf8'),
          });
          callback();
        }, callback);
      });
    },
  });

  private constructor() {}

  static async start(): Promise<TestMailServer> {
    const mailServer = new TestMailServer();
    await new Promise<void>((resolve) => mailServer.server.listen(0, '127.0.0.1', resolve));
    return mailServer;
  }

  get url(): string {
    const { port } = this.server.server.address() as AddressInfo;
    return `smtp://127.0.0.1:${port}`;
  }

  /** The next `times` deliveries to `address` fail for now (451). */
  refuse(address: string, times = 1): void {
    this.refusals.set(address.toLowerCase(), times);
  }

  mailsTo(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to.includes(address.toLowerCase()));
  }

  /** Waits for the `count`-th mail to `address` (1: the first) and returns it. */
  async waitForMail(address: string, count = 1, timeoutMs = 10_000): Promise<ReceivedMail> {
    await until(() => this.mailsTo(address).length >= count, timeoutMs, 25);
    return this.mailsTo(address)[count - 1];
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The token of the link to `page` in a mail's text (`…/page#token=…`). */
export function linkToken(mail: ReceivedMail, page: string): string {
  const match = new RegExp(`/${page}#token=([A-Za-z0-9_-]+)`).exec(mail.text);
  if (!match) throw new Error(`No /${page} link in the mail "${mail.subject}"`);
  return match[1];
}
