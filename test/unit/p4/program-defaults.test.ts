// Table default actions come from the compiled program: the BMv2 JSON when
// the pipeline carries it, else P4Info's initial_default_action. A P4Info
// written by p4c (no initial_default_action) and one that has it must give
// the software switch the same defaults.
import assert from 'node:assert/strict';
import { P4InfoIndex } from '../../../src/p4/p4info.js';
import { programDefaults } from '../../../src/p4/program-defaults.js';
import { verifyPipeline } from '../../../src/switch/pipeline-config.js';
import { DEVICE_CONFIG, INDEX, P4INFO } from '../switch/switch-harness.js';

const names = (d: ReturnType<typeof programDefaults>, index: P4InfoIndex): Record<string, string> => {
  if (typeof d === 'string') assert.fail(d);
  return Object.fromEntries(
    [...d].map(([table, a]) => [index.table(table)?.alias ?? '?', index.action(a.actionId)?.alias ?? '?']),
  );
};

/** The other flavour: p4c's P4Info with initial_default_action added as the program says. */
function withInitialDefaults(): P4InfoIndex {
  const copy = structuredClone(P4INFO);
  const d = programDefaults(INDEX, DEVICE_CONFIG);
  assert.ok(typeof d !== 'string');
  for (const t of copy.tables ?? [])
    t.initial_default_action = { action_id: d.get(t.preamble?.id ?? 0)?.actionId ?? 0 };
  return new P4InfoIndex(copy);
}

describe('p4/program-defaults: table default actions from the compiled program', () => {
  it('reads zone_switch defaults from the BMv2 JSON: drop everywhere, to_trunk on mac_forward, egress_drop on egress_vlan', () => {
    assert.equal(
      P4INFO.tables?.some((t) => t.initial_default_action),
      false,
      'p4c 1.2.4.8 writes no initial_default_action',
    );
    assert.deepEqual(names(programDefaults(INDEX, DEVICE_CONFIG), INDEX), {
      zone_admit: 'drop',
      zone_mark: 'drop',
      zone_acl: 'drop',
      mac_forward: 'to_trunk',
      egress_vlan: 'egress_drop',
    });
  });

  it('gives the same defaults for a P4Info with initial_default_action and no BMv2 JSON', () => {
    const other = withInitialDefaults();
    assert.deepEqual(
      names(programDefaults(other, Buffer.alloc(0)), other),
      names(programDefaults(INDEX, DEVICE_CONFIG), INDEX),
    );
  });

  it('refuses a pipeline whose defaults it cannot know, naming the table and why', () => {
    const { problem } = verifyPipeline({ p4info: P4INFO, p4_device_config: Buffer.from('not json') });
    assert.match(
      problem ?? '',
      /table ZoneIngress\.zone_admit has no default action: P4Info has no initial_default_action/,
    );
  });

  it('refuses a BMv2 JSON whose default action P4Info does not know', () => {
    const json = JSON.parse(DEVICE_CONFIG.toString()) as { actions: { name: string }[] };
    for (const a of json.actions) if (a.name === 'ZoneIngress.to_trunk') a.name = 'ZoneIngress.elsewhere';
    const d = programDefaults(INDEX, Buffer.from(JSON.stringify(json)));
    assert.equal(d, 'BMv2 JSON: default action ZoneIngress.elsewhere of ZoneIngress.mac_forward is not in P4Info');
  });
});
