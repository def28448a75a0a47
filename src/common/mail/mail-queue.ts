import type { OutgoingMail } from './outgoing-mail';

/** What a queued job carries: ids and addresses, never a secret (links are made at send time). */
export type MailJobPayload = Readonly<Record<string, string>>;

/** Turns a due job into its mail; null when there is nothing to send any more (account gone). */
export type MailComposer = (payload: MailJobPayload) => Promise<OutgoingMail | null>;

/**
 * Mail that never blocks or fails the request asking for it: the job is stored with the change
 * that causes it and sent after commit, with retries, by whichever instance gets to it first.
 */
export abstract class MailQueue {
  /** Stores a job of `kind` in the unit of work in force (or on its own outside one). */
  abstract enqueue(kind: string, payload: MailJobPayload): Promise<void>;
  /** How the jobs of `kind` become mails; registering a kind twice fails at start. */
  abstract handle(kind: string, composer: MailComposer): void;
}
