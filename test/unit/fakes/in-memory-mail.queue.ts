import type { MailComposer, MailJobPayload, OutgoingMail } from '../../../src/common/mail';
import { MailQueue } from '../../../src/common/mail';

/** Keeps queued jobs in order; `deliver()` composes them as the real sender would. */
export class InMemoryMailQueue extends MailQueue {
  readonly jobs: Array<{ kind: string; payload: MailJobPayload }> = [];
  private readonly composers = new Map<string, MailComposer>();

  async enqueue(kind: string, payload: MailJobPayload): Promise<void> {
    this.jobs.push({ kind, payload });
  }

  handle(kind: string, composer: MailComposer): void {
    if (this.composers.has(kind)) throw new Error(`Mail kind ${kind} has a composer already`);
    this.composers.set(kind, composer);
  }

  /** Composes every queued job, empties the queue, and returns the mails that would be sent. */
  async deliver(): Promise<OutgoingMail[]> {
    const mails: OutgoingMail[] = [];
    for (const { kind, payload } of this.jobs.splice(0)) {
      const composer = this.composers.get(kind);
      if (!composer) throw new Error(`No composer for mail kind ${kind}`);
      const mail = await composer(payload);
      if (mail) mails.push(mail);
    }
    return mails;
  }
}
