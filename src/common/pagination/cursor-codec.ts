import { ValidationFailedError } from '../errors';
import { canonicalUuid } from '../validation';
import type { PagePosition } from './page-position';

/** The text a cursor wraps: how a route writes a position, and reads one back (null if bad). */
export interface CursorFormat {
  write(position: PagePosition): string;
  read(text: string): PagePosition | null;
  /**
   * Whether the cursor must be in the base64url alphabet, or may be any text Node decodes
   * (padding, `+`, `/`). A format issued before the check keeps accepting what it accepted.
   */
  readonly strictAlphabet: boolean;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Opaque to clients: base64url of the format's text. Every format answers a bad cursor with the
 * same 400, and the text of the cursors it issued never changes, so old cursors keep working.
 */
export class CursorCodec {
  constructor(private readonly format: CursorFormat) {}

  encode(position: PagePosition): string {
    return Buffer.from(this.format.write(position)).toString('base64url');
  }

  decode(cursor: string): PagePosition {
    const position =
      !this.format.strictAlphabet || BASE64URL.test(cursor)
        ? this.format.read(Buffer.from(cursor, 'base64url').toString('utf8'))
        : null;
    const id = position && canonicalUuid(position.id);
    if (!position || !id) {
      throw new ValidationFailedError([{ field: 'cursor', messages: ['cursor is not valid'] }]);
    }
    return { at: position.at, id };
  }
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** `["<ISO time>","<id>"]`: the users list's cursors. */
export const isoTimeCursor = new CursorCodec({
  strictAlphabet: false,
  write: ({ at, id }) => JSON.stringify([new Date(at).toISOString(), id]),
  read(text) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return null;
    }
    if (!Array.isArray(parsed)) return null;
    const [time, id] = parsed as unknown[];
    if (typeof time !== 'string' || !ISO_TIME.test(time) || typeof id !== 'string') return null;
    const at = new Date(time).getTime();
    return Number.isNaN(at) ? null : { at, id };
  },
});

const EPOCH_POSITION = /^(\d{1,16}):([0-9a-f-]{36})$/;

/** `<epoch ms>:<id>`: the messages list's cursors. */
export const epochCursor = new CursorCodec({
  strictAlphabet: true,
  write: ({ at, id }) => `${at}:${id}`,
  read(text) {
    const match = EPOCH_POSITION.exec(text);
    return match ? { at: Number(match[1]), id: match[2] } : null;
  },
});
