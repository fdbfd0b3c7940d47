// Free capacity of every catalogue provider, by catalogue position, with
// the maximum free amount per block of 32 providers (one bitset word) and
// per 1,024 providers. A search skips a block when no provider in it has
// room for the demand in some resource, so "the first provider with room"
// costs a few comparisons per block instead of one look-up per provider.
// The index follows the ledger: every reserve and release updates one
// provider, its block and its super-block.

import type { Provider } from '../catalogue/provider.js';
import { wordsFor } from './bitset.js';
import type { CapacityLedger, Demand } from './capacity-ledger.js';

const KEYS = ['cores', 'memory', 'storage', 'gpus', 'fpgas'] as const;
const DIMS = KEYS.length;
/** Blocks (words) per super-block. */
const SUPER = 32;

export class CapacityIndex {
  /** free[k * size + i]: free amount of resource k on provider i. */
  private readonly free: Float64Array;
  /** blockMax[k * words + w]: the largest free amount of k among block w's providers. */
  private readonly blockMax: Float64Array;
  private readonly superMax: Float64Array;
  private readonly size: number;
  readonly words: number;
  private readonly supers: number;

  constructor(
    private readonly providers: readonly Provider[],
    private readonly positions: ReadonlyMap<string, number>,
    private readonly ledger: CapacityLedger,
  ) {
    this.size = providers.length;
    this.words = wordsFor(this.size);
    this.supers = Math.ceil(this.words / SUPER);
    this.free = new Float64Array(DIMS * this.size);
    this.blockMax = new Float64Array(DIMS * this.words).fill(-Infinity);
    this.superMax = new Float64Array(DIMS * this.supers).fill(-Infinity);
    for (let i = 0; i < this.size; i++) this.readFree(i);
    for (let w = 0; w < this.words; w++) this.rollUpBlock(w);
    for (let s = 0; s < this.supers; s++) this.rollUpSuper(s);
    ledger.watch((name) => this.update(name));
  }

  private readFree(i: number): void {
    const p = this.providers[i];
    const used = this.ledger.usedBy(p.name);
    for (let k = 0; k < DIMS; k++) this.free[k * this.size + i] = p.capacity[KEYS[k]] - used[KEYS[k]];
  }

  private rollUpBlock(w: number): void {
    const end = Math.min(this.size, (w + 1) * 32);
    for (let k = 0; k < DIMS; k++) {
      let max = -Infinity;
      const base = k * this.size;
      for (let i = w * 32; i < end; i++) if (this.free[base + i] > max) max = this.free[base + i];
      this.blockMax[k * this.words + w] = max;
    }
  }

  private rollUpSuper(s: number): void {
    const end = Math.min(this.words, (s + 1) * SUPER);
    for (let k = 0; k < DIMS; k++) {
      let max = -Infinity;
      const base = k * this.words;
      for (let w = s * SUPER; w < end; w++) if (this.blockMax[base + w] > max) max = this.blockMax[base + w];
      this.superMax[k * this.supers + s] = max;
    }
  }

  private update(name: string): void {
    const i = this.positions.get(name);
    if (i === undefined) return;
    this.readFree(i);
    this.rollUpBlock(i >>> 5);
    this.rollUpSuper(Math.floor((i >>> 5) / SUPER));
  }

  /**
   * The same test as CapacityLedger.shortfall: a resource the demand does
   * not use is not checked (an over-booked provider still takes a group
   * that needs none of what it lacks).
   */
  fits(i: number, d: Readonly<Demand>): boolean {
    const n = this.size;
    const f = this.free;
    return (
      (d.cores <= 0 || d.cores <= f[i]) &&
      (d.memory <= 0 || d.memory <= f[n + i]) &&
      (d.storage <= 0 || d.storage <= f[2 * n + i]) &&
      (d.gpus <= 0 || d.gpus <= f[3 * n + i]) &&
      (d.fpgas <= 0 || d.fpgas <= f[4 * n + i])
    );
  }

  /** False when no provider of block w can have room for d. */
  blockMayFit(w: number, d: Readonly<Demand>): boolean {
    return maxFits(this.blockMax, this.words, w, d);
  }

  /** False when no provider of super-block s (blocks s*32 ..) can have room for d. */
  superMayFit(s: number, d: Readonly<Demand>): boolean {
    return maxFits(this.superMax, this.supers, s, d);
  }
}

function maxFits(max: Float64Array, stride: number, j: number, d: Readonly<Demand>): boolean {
  return (
    (d.cores <= 0 || d.cores <= max[j]) &&
    (d.memory <= 0 || d.memory <= max[stride + j]) &&
    (d.storage <= 0 || d.storage <= max[2 * stride + j]) &&
    (d.gpus <= 0 || d.gpus <= max[3 * stride + j]) &&
    (d.fpgas <= 0 || d.fpgas <= max[4 * stride + j])
  );
}

export const BLOCKS_PER_SUPER = SUPER;
