// proto/ against the P4Runtime definitions compiled into BMv2's P4Runtime
// server (the toolchain's PI protobuf library): every message, field number,
// field type, label and enum value the real server knows must be in ours,
// the same. Ours may have more (the v1.5.0 Capabilities fields).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import { loadP4RuntimeProto, loadProtobufRoot } from '../../../src/p4/p4runtime-proto.js';
import { findP4Toolchain, summaryNote } from '../../../tools/harness/p4-toolchain.js';
import { embeddedRoot } from './embedded-descriptors.js';

const PROTOS = [
  'google/rpc/status.proto',
  'p4/config/v1/p4info.proto',
  'p4/config/v1/p4types.proto',
  'p4/v1/p4runtime.proto',
  'p4/v1/p4data.proto',
];

function all(ns: protobuf.NamespaceBase, out: protobuf.ReflectionObject[] = []): protobuf.ReflectionObject[] {
  for (const o of ns.nestedArray) {
    out.push(o);
    if (o instanceof protobuf.Namespace) all(o, out);
  }
  return out;
}

const fieldType = (f: protobuf.Field): string => (f.resolvedType ? f.resolvedType.fullName : f.type).replace(/^\./, '');

/** protobufjs reads a descriptor's map as a repeated XxxEntry message: see it as the map it is. */
const isMapEntry = (t: protobuf.ReflectionObject | null): boolean =>
  t instanceof protobuf.Type && (t.options?.['map_entry'] === true || t.options?.['mapEntry'] === true);

function shape(f: protobuf.Field): {
  id: number;
  type: string;
  repeated: boolean;
  map: boolean;
  oneof: string | undefined;
} {
  const entry = f.resolvedType;
  if (f.repeated && entry instanceof protobuf.Type && isMapEntry(entry)) {
    const value = entry.fields['value'];
    return {
      id: f.id,
      type: `map<${entry.fields['key']?.type ?? '?'}, ${fieldType(value)}>`,
      repeated: false,
      map: true,
      oneof: f.partOf?.name,
    };
  }
  const type = f instanceof protobuf.MapField ? `map<${f.keyType}, ${fieldType(f)}>` : fieldType(f);
  return { id: f.id, type, repeated: f.repeated, map: f.map, oneof: f.partOf?.name };
}

describe('proto/ against the P4Runtime protos compiled into BMv2', function () {
  let target: protobuf.Root | undefined;

  before(function () {
    const t = findP4Toolchain();
    // The real file, not the soname link (which a copy may have flattened).
    const lib =
      typeof t === 'string' ? undefined : join(dirname(t.simpleSwitch), '..', 'lib', 'libpiprotobuf.so.0.0.0');
    if (typeof t === 'string' || !lib || !existsSync(lib)) {
      summaryNote(`BMv2 proto comparison not run: ${typeof t === 'string' ? t : `no ${lib ?? 'libpiprotobuf'}`}`);
      this.skip();
    }
    target = embeddedRoot(lib, PROTOS, loadProtobufRoot(['google/protobuf/any.proto']));
    target.resolveAll();
  });

  it('has every message, enum, field number, type and label of the target', () => {
    const ours = loadP4RuntimeProto().root;
    let compared = 0;
    for (const o of all(target as protobuf.Root)) {
      if (o instanceof protobuf.Type) {
        if (o.fullName.startsWith('.google.') || isMapEntry(o)) continue;
        const mine = ours.lookupType(o.fullName);
        for (const f of o.fieldsArray) {
          const m = mine.fields[f.name];
          assert.ok(m, `${o.fullName}.${f.name} is missing`);
          assert.deepEqual(shape(m), shape(f), `${o.fullName}.${f.name}`);
          compared++;
        }
      } else if (o instanceof protobuf.Enum) {
        const mine = ours.lookupEnum(o.fullName);
        for (const [name, value] of Object.entries(o.values))
          assert.equal(mine.values[name], value, `${o.fullName}.${name}`);
      }
    }
    assert.ok(compared > 300, `only ${compared} fields compared`);
  });

  it('has the target service with the same methods and streaming', () => {
    const theirs = (target as protobuf.Root).lookupService('p4.v1.P4Runtime');
    const mine = loadP4RuntimeProto().root.lookupService('p4.v1.P4Runtime');
    for (const m of theirs.methodsArray) {
      const x = mine.methods[m.name];
      assert.ok(x, m.name);
      assert.deepEqual(
        [x.resolvedRequestType?.fullName, x.resolvedResponseType?.fullName, !!x.requestStream, !!x.responseStream],
        [m.resolvedRequestType?.fullName, m.resolvedResponseType?.fullName, !!m.requestStream, !!m.responseStream],
        m.name,
      );
    }
  });
});
