import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { P4_DIR, ZONE_SWITCH_JSON } from '../../../src/p4/proto-files.js';
import { P4InfoIndex, readP4InfoFile } from '../../../src/p4/p4info.js';
import { programDefaults } from '../../../src/p4/program-defaults.js';
import { readP4Program } from './p4-program-reader.js';

const program = readP4Program(readFileSync(path.join(P4_DIR, 'zone_switch.p4'), 'utf8'));
const p4info = new P4InfoIndex(readP4InfoFile(path.join(P4_DIR, 'zone_switch.p4info.txtpb')));
const defaults = programDefaults(p4info, readFileSync(ZONE_SWITCH_JSON));

describe('p4/zone_switch.p4info.txtpb and zone_switch.json (p4c output) against the program text', () => {
  it('lists exactly the tables and actions of zone_switch.p4, with the same @id', () => {
    assert.deepEqual(
      p4info.tables.map((t) => [t.name, t.id]).sort(),
      program.tables.map((t) => [`${t.control}.${t.name}`, t.id]).sort(),
    );
    assert.deepEqual(
      p4info.actions.map((a) => [a.name, a.id]).sort(),
      program.actions.map((a) => [`${a.control}.${a.name}`, a.id]).sort(),
    );
  });

  it('gives every table the program key: field names, order, match kinds and bit widths', () => {
    for (const t of program.tables) {
      const info = p4info.tableByName(`${t.control}.${t.name}`);
      assert.ok(info, t.name);
      assert.deepEqual(
        info.matchFields.map((f) => ({ id: f.id, expr: f.name, kind: f.matchType, bitwidth: f.bitwidth })),
        t.keys.map((k, i) => ({ id: i + 1, ...k })),
        `${t.name} key`,
      );
    }
  });

  it('gives every table the program actions, scopes, default action and size', () => {
    for (const t of program.tables) {
      const info = p4info.tableByName(`${t.control}.${t.name}`);
      assert.ok(info);
      const refs = [...info.actionRefs].map(([id, scope]) => [p4info.action(id)?.name, scope]).sort();
      assert.deepEqual(refs, t.actions.map((a) => [`${t.control}.${a.name}`, a.scope]).sort(), `${t.name} actions`);
      if (typeof defaults === 'string') assert.fail(defaults);
      assert.equal(
        p4info.action(defaults.get(info.id)?.actionId ?? 0)?.name,
        `${t.control}.${t.defaultAction}`,
        `${t.name} default`,
      );
      assert.equal(info.size, t.size, `${t.name} size`);
    }
  });

  it('gives every action the program parameters with their bit widths', () => {
    for (const a of program.actions) {
      const info = p4info.actionByName(`${a.control}.${a.name}`);
      assert.ok(info, a.name);
      assert.deepEqual(
        info.params.map((p) => ({ id: p.id, name: p.name, bitwidth: p.bitwidth })),
        a.params.map((p, i) => ({ id: i + 1, ...p })),
      );
    }
  });

  it('uses the P4Runtime ID prefixes: 0x01 for actions, 0x02 for tables', () => {
    for (const t of p4info.tables) assert.equal(t.id >>> 24, 0x02, t.name);
    for (const a of p4info.actions) assert.equal(a.id >>> 24, 0x01, a.name);
  });

  it('sizes the per-VLAN tables for 4,094 zones', () => {
    assert.ok((p4info.tableByName('ZoneIngress.zone_mark')?.size ?? 0) >= 4094);
    assert.ok((p4info.tableByName('ZoneIngress.zone_admit')?.size ?? 0) >= 4094 * 2);
    assert.ok((p4info.tableByName('ZoneEgress.egress_vlan')?.size ?? 0) >= 4094 * 2);
  });
});
