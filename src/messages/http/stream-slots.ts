export type SlotRefusal = 'instance-full' | 'address-full';

/**
 * The streams open (or opening) on this instance, in all and per client address, held to a cap
 * on each. A slot is taken before the stream opens, so concurrent requests cannot overshoot.
 */
export class StreamSlots {
  private total = 0;
  private readonly byAddress = new Map<string, number>();

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerAddress: number,
  ) {}

  /** Takes a slot for the address, or says which cap stands in the way. */
  take(address: string): SlotRefusal | null {
    if (this.total >= this.maxTotal) return 'instance-full';
    const held = this.byAddress.get(address) ?? 0;
    if (held >= this.maxPerAddress) return 'address-full';
    this.total++;
    this.byAddress.set(address, held + 1);
    return null;
  }

  release(address: string): void {
    const held = this.byAddress.get(address);
    if (held === undefined) return;
    this.total--;
    // An address with no stream is forgotten, so the map holds only the addresses streaming now.
    if (held === 1) this.byAddress.delete(address);
    else this.byAddress.set(address, held - 1);
  }
}
