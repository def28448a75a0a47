import {
  Message,
  MESSAGE_MAX_LENGTH,
  type MessageProps,
  normalizeMessageText,
} from '../../../src/messages/domain/message';

const createdAt = new Date('2026-01-01T00:00:00.000Z');
const expiresAt = new Date('2026-01-01T00:05:00.000Z');

function props(overrides: Partial<MessageProps> = {}): MessageProps {
  return {
    id: '0b5c1f8e-4a8e-4d6b-9a51-3f0f3e0c2a11',
    text: 'Hello',
    authorId: 'author-1',
    authorEmail: 'ada@example.com',
    createdAt,
    expiresAt,
    ...overrides,
  };
}

const EMOJI = '\u{1F600}'; // 😀: one code point, two UTF-16 units
const E_ACUTE = 'e\u0301'; // é as "e" + a combining acute accent: two code points, one glyph

describe('normalizeMessageText', () => {
  it('allows at most 1000 characters', () => {
    expect(MESSAGE_MAX_LENGTH).toBe(1000);
  });

  it('trims surrounding whitespace, keeping inner whitespace', () => {
    expect(normalizeMessageText('  Hello,\n  world \t')).toBe('Hello,\n  world');
    expect(normalizeMessageText('\u00a0\u2003Hi\u3000\n')).toBe('Hi');
  });

  it.each([
    ['an empty string', ''],
    ['spaces', '     '],
    ['tabs and newlines', '\t\n\r\n'],
    ['Unicode spaces', '\u00a0\u2003\u3000\ufeff'],
  ])('refuses %s', (_case, text) => {
    expect(normalizeMessageText(text)).toBeNull();
  });

  it('accepts one character and exactly 1000', () => {
    expect(normalizeMessageText('a')).toBe('a');
    const max = 'a'.repeat(1000);
    expect(normalizeMessageText(max)).toBe(max);
  });

  it('refuses 1001 characters', () => {
    expect(normalizeMessageText('a'.repeat(1001))).toBeNull();
  });

  it('counts the length after trimming', () => {
    const max = 'a'.repeat(1000);
    expect(normalizeMessageText(`   ${max}\n\n`)).toBe(max);
    expect(normalizeMessageText(`   ${max}b  `)).toBeNull();
  });

  it('counts an emoji as one character, not as its two UTF-16 units', () => {
    const max = EMOJI.repeat(1000);
    expect(max.length).toBe(2000);
    expect(normalizeMessageText(max)).toBe(max);
    expect(normalizeMessageText(EMOJI.repeat(1001))).toBeNull();
    expect(normalizeMessageText(` ${EMOJI} `)).toBe(EMOJI);
  });

  it('counts a combining character as a code point of its own', () => {
    const max = E_ACUTE.repeat(500); // 500 glyphs, 1000 code points
    expect(normalizeMessageText(max)).toBe(max);
    expect(normalizeMessageText(E_ACUTE.repeat(501))).toBeNull(); // 1002 code points
    expect(normalizeMessageText(`${'a'.repeat(999)}${E_ACUTE}`)).toBeNull(); // 1001 code points
  });

  it('keeps the text otherwise unchanged (no normalization, no escaping)', () => {
    expect(normalizeMessageText('<script>alert("x")</script> & é')).toBe(
      '<script>alert("x")</script> & é',
    );
    expect(normalizeMessageText(E_ACUTE)).toBe(E_ACUTE);
  });
});

describe('Message', () => {
  it('exposes what it was restored from', () => {
    const message = Message.restore(props());
    expect({
      id: message.id,
      text: message.text,
      authorId: message.authorId,
      authorEmail: message.authorEmail,
      createdAt: message.createdAt,
      expiresAt: message.expiresAt,
    }).toEqual(props());
  });

  it('does not change when the props it was restored from change', () => {
    const source = { ...props() } as { -readonly [K in keyof MessageProps]: MessageProps[K] };
    const message = Message.restore(source);
    source.text = 'changed';
    source.authorId = 'someone-else';
    expect(message.text).toBe('Hello');
    expect(message.authorId).toBe('author-1');
  });

  describe('canBeDeletedBy', () => {
    const message = Message.restore(props({ authorId: 'author-1' }));

    it('lets its author delete it', () => {
      expect(message.canBeDeletedBy('author-1', 'user')).toBe(true);
    });

    it('lets an admin delete it, whoever wrote it', () => {
      expect(message.canBeDeletedBy('admin-1', 'admin')).toBe(true);
      expect(message.canBeDeletedBy('author-1', 'admin')).toBe(true);
    });

    it('refuses any other user', () => {
      expect(message.canBeDeletedBy('someone-else', 'user')).toBe(false);
      expect(message.canBeDeletedBy('', 'user')).toBe(false);
      expect(message.canBeDeletedBy('AUTHOR-1', 'user')).toBe(false);
    });
  });
});
