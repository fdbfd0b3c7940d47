// The paper's evaluation as an acceptance test (docs/design.md): Table I
// as the catalogue, Tables II then III as messages, through the same code
// that `zonectl plan` and the operator call.

import { strict as assert } from 'node:assert';
import { loadCatalogue, loadMessages } from '../../../src/cli/load-files.js';
import { MessageEngine } from '../../../src/core/messages/message-engine.js';
import { listing3 } from '../../../src/core/render/listing3.js';
import { Federation } from '../../../src/core/zones/federation.js';

const catalogue = loadCatalogue('examples/paper/providers.yaml');
const messages = loadMessages('examples/paper/messages.json');

function run(until = messages.length) {
  const federation = new Federation({ providers: catalogue.providers, regions: catalogue.regions });
  const engine = new MessageEngine(federation);
  const outcomes = messages.slice(0, until).flatMap((m, i) => engine.applyRaw(m, i));
  return { federation, outcomes, state: listing3(federation.entries(), federation.globalId) };
}

const names = (state: ReturnType<typeof run>['state'], id: string) =>
  Object.fromEntries(Object.entries(state[id].instances).map(([p, i]) => [p, Object.keys(i)]));

describe('the paper scenario (Tables I–V, Listing 3)', () => {
  const { state, outcomes, federation } = run();
  const ids = Object.keys(state);
  const byPrefix = (p: string) => {
    const id = ids.find((x) => x.startsWith(p));
    assert.ok(id, `zone ${p} is in the state`);
    return id;
  };

  it('reproduces the outcome table: placements, instance names, VLANs 1000–1004, Table V markings', () => {
    const table: [string, number, string, Record<string, string[]>][] = [
      ['755b9', 1000, '111000', { Fog1: ['C1', 'C2'], Fog2: ['C3', 'C4'] }],
      ['9ed1d', 1001, '001000', { PrivateCloud2: ['V1', 'V3'] }],
      [
        '5050f',
        1002,
        '000010',
        { PublicCloud2: ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8'], PublicCloud3: ['V1', 'V2'] },
      ],
      ['83042', 1003, '000100', { PublicCloud1: ['V1', 'V2', 'V3', 'V4'] }],
      ['f885e', 1004, '111000', { PrivateCloud2: ['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7', 'V8'] }],
    ];
    assert.equal(ids.length, table.length, 'ded95 was released whole');
    for (const [prefix, vlan, marking, instances] of table) {
      const id = byPrefix(prefix);
      assert.equal(state[id].vlan_id, vlan, `${prefix} VLAN`);
      assert.equal(state[id].marking, marking, `${prefix} marking`);
      assert.deepEqual(names(state, id), instances, `${prefix} instances`);
    }
  });

  it('placed ded95 on PublicCloud4 with VLAN 1005 and marking 111000 before releasing it whole', () => {
    const before = run(6);
    const id = Object.keys(before.state).find((x) => x.startsWith('ded95')) as string;
    assert.equal(before.state[id].vlan_id, 1005);
    assert.equal(before.state[id].marking, '111000');
    assert.deepEqual(names(before.state, id), { PublicCloud4: ['V1', 'V2', 'V3'] });
    const stop = outcomes[8];
    assert.equal(stop.result, 'released');
    assert.ok(stop.result === 'released' && stop.whole);
    assert.equal(federation.vlans.has(1005), false, 'the VLAN is free again');
    assert.deepEqual(federation.usedBy('PublicCloud4'), { cores: 0, memory: 0, storage: 0, gpus: 0, fpgas: 0 });
  });

  it('Figure 3 state: the first six INITs, each on the provider the text names', () => {
    const six = run(6);
    assert.deepEqual(
      six.outcomes.map((o) =>
        o.result === 'placed' ? `${o.applicationId.slice(0, 5)}:${o.provider}:${o.vlanId}` : o.result,
      ),
      [
        '755b9:Fog1:1000',
        '9ed1d:PrivateCloud2:1001',
        '5050f:PublicCloud2:1002',
        '83042:PublicCloud1:1003',
        'f885e:PrivateCloud2:1004',
        'ded95:PublicCloud4:1005',
      ],
    );
  });

  it('scales up 5050f onto PublicCloud3 (FPGA) and 755b9 onto Fog2 (GPU), each with a new VPN link', () => {
    assert.deepEqual(Object.keys(state[byPrefix('5050f')].vpn), ['PublicCloud2', 'PublicCloud3']);
    assert.deepEqual(state[byPrefix('755b9')].vpn, {
      Fog1: { from: 'HOME-SWITCH', to: 'Fog1-SWITCH' },
      Fog2: { from: 'HOME-SWITCH', to: 'Fog2-SWITCH' },
    });
  });

  it('has the Listing 3 network values for VLAN 1000', () => {
    const z = state[byPrefix('755b9')];
    assert.equal(z.network, 'fd3f:e79f:d35c:3e8::/64');
    assert.equal(z.network_id, 274468950876);
    assert.deepEqual(z.instances.Fog1.C1, {
      cores: 2,
      memory: 1024,
      storage: 8192,
      address: 'fd3f:e79f:d35c:3e8::1:1',
    });
  });

  it('gives every instance a unique address inside its zone network', () => {
    const seen = new Set<string>();
    for (const z of Object.values(state)) {
      const prefix = z.network.replace('::/64', ':');
      for (const inst of Object.values(z.instances).flatMap((i) => Object.values(i))) {
        assert.ok(inst.address.startsWith(prefix), `${inst.address} in ${z.network}`);
        assert.ok(!seen.has(inst.address));
        seen.add(inst.address);
      }
    }
  });

  it('reports one outcome per message, in order, none rejected', () => {
    assert.deepEqual(
      outcomes.map((o) => `${o.index}:${o.result}`),
      [
        '0:placed',
        '1:placed',
        '2:placed',
        '3:placed',
        '4:placed',
        '5:placed',
        '6:placed',
        '7:placed',
        '8:released',
        '9:released',
      ],
    );
  });

  it('explains why the EEA zone skipped the non-EEA and non-fog providers', () => {
    const f = new Federation({ providers: catalogue.providers, regions: catalogue.regions });
    const engine = new MessageEngine(f);
    engine.applyRaw(messages[0], 0);
    const spec = engine.specs.get('755b94a1-2847-4bb8-b530-cfca97404f51');
    assert.ok(spec);
    // A what-if of the same zone against a fresh federation explains every provider.
    const what = new Federation({ providers: catalogue.providers, regions: catalogue.regions }).reconcile(spec, true);
    const reasons = Object.fromEntries(
      (what.groups[0].explanation ?? []).map((e) => [e.provider, `${e.verdict}: ${e.reason}`]),
    );
    assert.match(reasons.Fog1, /^Selected/);
    assert.match(reasons.Fog2, /^Skipped: eligible, but first-fit chose Fog1/);
    assert.match(reasons.PrivateCloud1, /environment VM, group needs container/);
    assert.match(reasons.PublicCloud2, /^Skipped: country 250 \(RU\) not allowed by regions rule #2 DENY_ALL/);
  });
});
