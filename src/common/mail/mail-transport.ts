import type { OutgoingMail } from './outgoing-mail';

/** Hands a mail over for delivery; rejects when it could not, so the queue tries again later. */
export abstract class MailTransport {
  abstract send(mail: OutgoingMail): Promise<void>;
}
