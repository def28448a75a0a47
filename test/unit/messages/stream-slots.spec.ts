import { StreamSlots } from '../../../src/messages/http/stream-slots';

describe('StreamSlots', () => {
  it('refuses an address past its cap while others still get slots', () => {
    const slots = new StreamSlots(10, 2);
    expect(slots.take('198.51.100.1')).toBeNull();
    expect(slots.take('198.51.100.1')).toBeNull();
    expect(slots.take('198.51.100.1')).toBe('address-full');
    expect(slots.take('198.51.100.2')).toBeNull();
  });

  it('refuses anyone past the instance cap, before the address cap', () => {
    const slots = new StreamSlots(2, 1);
    expect(slots.take('198.51.100.1')).toBeNull();
    expect(slots.take('198.51.100.2')).toBeNull();
    expect(slots.take('198.51.100.3')).toBe('instance-full');
    expect(slots.take('198.51.100.1')).toBe('instance-full');
  });

  it('gives a released slot back to its address and to the instance', () => {
    const slots = new StreamSlots(2, 1);
    slots.take('198.51.100.1');
    slots.take('198.51.100.2');
    slots.release('198.51.100.1');
    expect(slots.take('198.51.100.3')).toBeNull();
    slots.release('198.51.100.2');
    expect(slots.take('198.51.100.2')).toBeNull();
  });

  it('ignores the release of an address that holds no slot', () => {
    const slots = new StreamSlots(1, 1);
    slots.take('198.51.100.1');
    slots.release('198.51.100.9');
    expect(slots.take('198.51.100.2')).toBe('instance-full');
  });
});
