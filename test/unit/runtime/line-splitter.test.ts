import assert from 'node:assert/strict';
import { lineSplitter } from '../../../src/runtime/line-splitter.js';

function split(chunks: Buffer[]): string[] {
  const out: string[] = [];
  const feed = lineSplitter((l) => out.push(l));
  for (const c of chunks) feed(c);
  return out;
}

describe('runtime/lineSplitter: watch streams cut into lines on the bytes', () => {
  it('gives every complete line once, however the chunks fall, and holds back an unfinished one', () => {
    const text = '{"type":"ADDED","n":1}\n{"type":"MODIFIED","n":2}\n\n{"type":"DELETED","n":3}\n{"torn":';
    const whole = Buffer.from(text);
    const want = ['{"type":"ADDED","n":1}', '{"type":"MODIFIED","n":2}', '', '{"type":"DELETED","n":3}'];
    assert.deepEqual(split([whole]), want);
    // Every way of cutting the stream in two, and byte by byte.
    for (let i = 0; i <= whole.length; i++)
      assert.deepEqual(split([whole.subarray(0, i), whole.subarray(i)]), want, `cut at ${i}`);
    assert.deepEqual(split([...whole].map((b) => Buffer.from([b]))), want);
  });

  it('keeps multi-byte UTF-8 whole when a chunk ends inside a character', () => {
    const line = '{"name":"zürich-δ-区"}';
    const bytes = Buffer.from(`${line}\n${line}\n`);
    for (let i = 0; i <= bytes.length; i++) {
      assert.deepEqual(split([bytes.subarray(0, i), bytes.subarray(i)]), [line, line], `cut at byte ${i}`);
    }
  });
});
