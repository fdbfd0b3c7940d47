// VLAN IDs: the lowest free ID in a configurable range (default 1000–4094;
// 4094 is the 802.1Q limit), freed on whole-zone release. An ID whose zone
// vanished while the switches may still carry its entries is quarantined:
// taken, so no other zone gets it and collides with those entries, until
// the switches confirm they are gone.

export interface VlanRange {
  min: number;
  max: number;
}

export const DEFAULT_VLAN_RANGE: VlanRange = { min: 1000, max: 4094 };

export function checkVlanRange(r: VlanRange): string | undefined {
  const ok = (v: number) => Number.isInteger(v) && v >= 1 && v <= 4094;
  if (!ok(r.min) || !ok(r.max)) return `VLAN range must lie within 1–4094 (802.1Q), got ${r.min}–${r.max}`;
  if (r.min > r.max) return `VLAN range is empty: ${r.min} > ${r.max}`;
  return undefined;
}

export class VlanAllocator {
  private readonly inUse: Uint8Array;
  private count = 0;
  private readonly quarantined = new Set<number>();
  /** Every ID below this one is taken: the next search starts here. */
  private lowestMaybeFree: number;

  constructor(readonly range: VlanRange = DEFAULT_VLAN_RANGE) {
    const bad = checkVlanRange(range);
    if (bad) throw new Error(bad);
    this.inUse = new Uint8Array(range.max - range.min + 1);
    this.lowestMaybeFree = range.min;
  }

  get used(): number {
    return this.count;
  }

  get capacity(): number {
    return this.inUse.length;
  }

  /** The ID lies in this allocator's range. */
  contains(vlan: number): boolean {
    return vlan >= this.range.min && vlan <= this.range.max;
  }

  has(vlan: number): boolean {
    return this.contains(vlan) && this.inUse[vlan - this.range.min] === 1;
  }

  /** The lowest free ID, or undefined when the range is exhausted. */
  allocate(): number | undefined {
    for (let v = this.lowestMaybeFree; v <= this.range.max; v++) {
      if (this.inUse[v - this.range.min] === 0) {
        this.take(v);
        this.lowestMaybeFree = v + 1;
        return v;
      }
    }
    this.lowestMaybeFree = this.range.max + 1;
    return undefined;
  }

  /** Marks an ID as taken (rebuilding from durable state); false if it was already. */
  claim(vlan: number): boolean {
    if (!this.contains(vlan)) throw new Error(`VLAN ${vlan} is outside ${this.range.min}–${this.range.max}`);
    if (this.has(vlan)) return false;
    this.take(vlan);
    return true;
  }

  /** Takes a free ID as draining (see the file's comment); false when it is taken or outside the range. */
  quarantine(vlan: number): boolean {
    if (!this.contains(vlan) || this.has(vlan)) return false;
    this.take(vlan);
    this.quarantined.add(vlan);
    return true;
  }

  isQuarantined(vlan: number): boolean {
    return this.quarantined.has(vlan);
  }

  /** IDs quarantined now. */
  get draining(): number {
    return this.quarantined.size;
  }

  release(vlan: number): void {
    this.quarantined.delete(vlan);
    if (!this.has(vlan)) return;
    this.inUse[vlan - this.range.min] = 0;
    this.count--;
    if (vlan < this.lowestMaybeFree) this.lowestMaybeFree = vlan;
  }

  private take(v: number): void {
    this.inUse[v - this.range.min] = 1;
    this.count++;
  }
}
