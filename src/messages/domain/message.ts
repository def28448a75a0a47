import type { Role } from '../../common/identity/role';

/** Bounds of a message's text, in Unicode code points once trimmed. */
export const MESSAGE_MIN_LENGTH = 1;
export const MESSAGE_MAX_LENGTH = 1000;

/** The rule in words, for the validation error and the API documentation. */
export const MESSAGE_LENGTH_RULE = `${MESSAGE_MIN_LENGTH} to ${MESSAGE_MAX_LENGTH} characters after trimming`;

export interface MessageProps {
  readonly id: string;
  /** Trimmed text, 1 to 1000 Unicode code points. */
  readonly text: string;
  readonly authorId: string;
  readonly authorEmail: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** An ephemeral message: it exists until `expiresAt`, then it is gone for everyone. */
export class Message {
  private constructor(private readonly props: MessageProps) {}

  static restore(props: MessageProps): Message {
    return new Message({ ...props });
  }

  get id(): string {
    return this.props.id;
  }
  get text(): string {
    return this.props.text;
  }
  get authorId(): string {
    return this.props.authorId;
  }
  get authorEmail(): string {
    return this.props.authorEmail;
  }
  get createdAt(): Date {
    return this.props.createdAt;
  }
  get expiresAt(): Date {
    return this.props.expiresAt;
  }

  /** Only its author or an admin may delete a message. */
  canBeDeletedBy(userId: string, role: Role): boolean {
    return role === 'admin' || userId === this.props.authorId;
  }
}

/** The text as stored: trimmed. Null when it is empty or too long once trimmed. */
export function normalizeMessageText(text: string): string | null {
  const trimmed = text.trim();
  const length = [...trimmed].length;
  return length >= MESSAGE_MIN_LENGTH && length <= MESSAGE_MAX_LENGTH ? trimmed : null;
}
