// Election IDs are 128-bit (p4.v1.Uint128 {high, low}); compared as bigints.
import type { Uint128 } from '../p4/p4runtime-types.js';

export function electionToBigInt(id: Uint128): bigint {
  return (BigInt(id.high ?? '0') << 64n) | BigInt(id.low ?? '0');
}

export function bigIntToElection(v: bigint): Uint128 {
  return { high: (v >> 64n).toString(), low: (v & 0xffffffffffffffffn).toString() };
}
