import { isLaterEvent } from '../../../src/messages/domain/message-event';

describe('isLaterEvent', () => {
  it.each([
    ['1700000000001-0', '1700000000000-5'],
    ['1700000000000-6', '1700000000000-5'],
    ['1700000000000-10', '1700000000000-9'],
    ['10', '9'],
    ['2', '1-7'],
    ['1-18446744073709551615', '1-18446744073709551614'],
  ])('%s comes after %s', (id, other) => {
    expect(isLaterEvent(id, other)).toBe(true);
    expect(isLaterEvent(other, id)).toBe(false);
  });

  it('an event does not come after itself', () => {
    expect(isLaterEvent('1700000000000-5', '1700000000000-5')).toBe(false);
    expect(isLaterEvent('3', '3-0')).toBe(false);
  });
});
