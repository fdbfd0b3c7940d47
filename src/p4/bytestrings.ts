// P4Runtime binary strings (specification §8.3 "Bytestrings"): unsigned,
// big-endian; the canonical form is the shortest string that holds the
// value, zero being one 0x00 byte. Receivers accept any padded length whose
// value fits the field; an empty string or a value wider than the field is
// OUT_OF_RANGE. Servers return canonical strings.

/** The shortest big-endian byte string for `value` (at least one byte). */
export function canonicalBytes(bytes: Uint8Array): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return Buffer.from(bytes.subarray(i));
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  // One parse instead of a BigInt operation per byte (hot in the switch).
  return BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`);
}

/** Canonical bytes of a non-negative integer. */
export function bigIntToBytes(value: bigint): Buffer {
  if (value < 0n) throw new RangeError(`negative value ${value}`);
  if (value === 0n) return Buffer.from([0]);
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return Buffer.from(hex, 'hex');
}

/** Bytes of exactly ceil(bitwidth / 8) length, as a P4 target would hold them. */
export function bigIntToPaddedBytes(value: bigint, bitwidth: number): Buffer {
  const len = Math.ceil(bitwidth / 8);
  const c = bigIntToBytes(value);
  if (c.length > len) throw new RangeError(`value ${value} does not fit in ${bitwidth} bits`);
  return Buffer.concat([Buffer.alloc(len - c.length), c]);
}

/** Number of significant bits of an unsigned byte string (0 for zero). */
export function significantBits(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  const first = bytes[i];
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(first));
}

/** Whether the string is acceptable input for a bit<W> field. */
export function fitsBitwidth(bytes: Uint8Array, bitwidth: number): boolean {
  return bytes.length > 0 && significantBits(bytes) <= bitwidth;
}

export function maskOfWidth(bitwidth: number): bigint {
  return (1n << BigInt(bitwidth)) - 1n;
}

/** A prefix mask of `prefixLen` leading ones in a field of `bitwidth` bits. */
export function prefixMask(prefixLen: number, bitwidth: number): bigint {
  if (prefixLen <= 0) return 0n;
  return maskOfWidth(bitwidth) ^ maskOfWidth(bitwidth - prefixLen);
}
