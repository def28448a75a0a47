import { Message } from '../domain/message';

/** A message as the Redis adapters write it (stored bodies and stream events): epoch-ms times. */
export interface MessageRecord {
  id: string;
  text: string;
  authorId: string;
  authorEmail: string;
  createdAt: number;
  expiresAt: number;
}

export function toRecord(message: Message): MessageRecord {
  return {
    id: message.id,
    text: message.text,
    authorId: message.authorId,
    authorEmail: message.authorEmail,
    createdAt: message.createdAt.getTime(),
    expiresAt: message.expiresAt.getTime(),
  };
}

export function fromRecord(record: MessageRecord): Message {
  return Message.restore({
    id: record.id,
    text: record.text,
    authorId: record.authorId,
    authorEmail: record.authorEmail,
    createdAt: new Date(record.createdAt),
    expiresAt: new Date(record.expiresAt),
  });
}
