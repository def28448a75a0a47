import { ValidationFailedError } from '../../../src/common/errors';
import { type CursorCodec, epochCursor, isoTimeCursor } from '../../../src/common/pagination';

const ID = '6f1f9a3c-2b7e-4c1d-8e2f-0a9b8c7d6e5f';
const AT = Date.parse('2026-01-01T00:00:00.123Z');
const base64url = (text: string) => Buffer.from(text).toString('base64url');

function expectRefused(codec: CursorCodec, cursor: string): void {
  let thrown: unknown;
  try {
    codec.decode(cursor);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ValidationFailedError);
  expect((thrown as ValidationFailedError).details).toEqual([
    { field: 'cursor', messages: ['cursor is not valid'] },
  ]);
}

describe('cursor codecs', () => {
  // Cursors clients hold from before the codec was shared: their text must never change.
  it.each([
    [
      'isoTimeCursor',
      isoTimeCursor,
      'WyIyMDI2LTAxLTAxVDAwOjAwOjAwLjEyM1oiLCI2ZjFmOWEzYy0yYjdlLTRjMWQtOGUyZi0wYTliOGM3ZDZlNWYiXQ',
    ],
    [
      'epochCursor',
      epochCursor,
      'MTc2NzIyNTYwMDEyMzo2ZjFmOWEzYy0yYjdlLTRjMWQtOGUyZi0wYTliOGM3ZDZlNWY',
    ],
  ])('%s writes and reads the cursors it always issued', (_name, codec, issued) => {
    expect(codec.encode({ at: AT, id: ID })).toBe(issued);
    expect(codec.decode(issued)).toEqual({ at: AT, id: ID });
  });

  it('isoTimeCursor reads an id in any case, as the lower case ids are stored in', () => {
    const cursor = base64url(`["2026-01-01T00:00:00.123Z","${ID.toUpperCase()}"]`);
    expect(isoTimeCursor.decode(cursor)).toEqual({ at: AT, id: ID });
  });

  it.each([
    ['garbage', 'garbage!'],
    ['an empty string', ''],
    ['base64 of junk', base64url('junk')],
    ['not an array', base64url('{"at":1}')],
    ['a time without milliseconds', base64url(`["2026-01-01T00:00:00Z","${ID}"]`)],
    ['an impossible time', base64url(`["2026-13-01T00:00:00.000Z","${ID}"]`)],
    ['a malformed id', base64url('["2026-01-01T00:00:00.000Z","not-a-uuid"]')],
    ['an epoch position', base64url(`${AT}:${ID}`)],
  ])('isoTimeCursor refuses %s with the cursor 400', (_case, cursor) => {
    expectRefused(isoTimeCursor, cursor);
  });

  it.each([
    ['garbage', 'garbage!'],
    ['an empty string', ''],
    ['base64 of junk', base64url('junk')],
    ['a position without an id', base64url(`${AT}:`)],
    ['a malformed id', base64url(`${AT}:not-a-uuid`)],
    ['a negative time', base64url(`-1:${ID}`)],
    ['padding', `${base64url(`${AT}:${ID}`)}=`],
    ['an id in upper case', base64url(`${AT}:${ID.toUpperCase()}`)],
    ['an iso position', base64url(`["2026-01-01T00:00:00.123Z","${ID}"]`)],
  ])('epochCursor refuses %s with the cursor 400', (_case, cursor) => {
    expectRefused(epochCursor, cursor);
  });

  it('isoTimeCursor still reads a padded cursor, as it always did', () => {
    const padded = `${base64url(`["2026-01-01T00:00:00.123Z","${ID}"]`)}==`;
    expect(isoTimeCursor.decode(padded)).toEqual({ at: AT, id: ID });
  });
});
