export { MailModule } from './mail.module';
export { type MailComposer, type MailJobPayload, MailQueue } from './mail-queue';
export { MailTemplates } from './mail-templates';
export type { OutgoingMail } from './outgoing-mail';
