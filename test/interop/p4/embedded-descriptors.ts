// Reads the protobuf descriptors a C++ program compiled into itself: every
// protoc-generated library embeds each .proto as a serialized
// FileDescriptorProto. Finding them in BMv2's P4Runtime library gives the
// message definitions the real server speaks, to compare with proto/.
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';

function readVarint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = buf[i++];
    if (b === undefined || shift > 49) throw new Error('bad varint');
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, i];
  }
}

/** The end of a FileDescriptorProto starting at `at`: after its `syntax` field (12), the last one protoc writes. */
function descriptorEnd(buf: Buffer, at: number): number {
  let i = at;
  for (;;) {
    const [tag, afterTag] = readVarint(buf, i);
    const field = Math.floor(tag / 8);
    if ((tag & 7) !== 2 || field < 1 || field > 14) throw new Error('not a descriptor');
    const [len, afterLen] = readVarint(buf, afterTag);
    i = afterLen + len;
    if (i > buf.length) throw new Error('not a descriptor');
    if (field === 12) return i;
  }
}

/**
 * A protobufjs root of the named .proto files embedded in `file`, with
 * google.protobuf.Any (which lives in the protobuf runtime library) from
 * `anyRoot`.
 */
export function embeddedRoot(file: string, protoNames: string[], anyRoot: protobuf.Root): protobuf.Root {
  const bin = readFileSync(file);
  const withDescriptor = anyRoot as unknown as { toDescriptor(syntax: string): { file: protobuf.Message[] } };
  const files: protobuf.Message[] = withDescriptor.toDescriptor('proto3').file;
  for (const name of protoNames) {
    const needle = Buffer.concat([Buffer.from([0x0a, name.length]), Buffer.from(name)]);
    let found: protobuf.Message | undefined;
    for (let at = bin.indexOf(needle); at >= 0 && !found; at = bin.indexOf(needle, at + 1)) {
      try {
        const d = descriptor.FileDescriptorProto.decode(bin.subarray(at, descriptorEnd(bin, at)));
        if (((d as unknown as { messageType?: unknown[] }).messageType ?? []).length > 0) found = d;
      } catch {
        /* the name also occurs as a plain string: keep looking */
      }
    }
    if (!found) throw new Error(`${file} embeds no descriptor of ${name}`);
    files.push(found);
  }
  const set = descriptor.FileDescriptorSet.create({ file: files });
  return (protobuf.Root as unknown as { fromDescriptor(d: protobuf.Message): protobuf.Root }).fromDescriptor(set);
}
