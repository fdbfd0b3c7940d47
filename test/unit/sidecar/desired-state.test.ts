import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planP4Entries, type PlannedEntry } from '../../../src/core/network/p4-entries.js';
import { P4InfoIndex } from '../../../src/p4/p4info.js';
import { DesiredState, DesiredStateError } from '../../../src/sidecar/desired-state.js';
import { PAPER_PLANS, PORTS } from '../p4/paper-zone-plans.js';
import { P4INFO } from '../switch/switch-harness.js';

const ZONES = planP4Entries(PAPER_PLANS, PORTS).zones.slice(0, 3);
const copy = (es: PlannedEntry[]): PlannedEntry[] => structuredClone(es);

/** Everything the sidecar derives from the desired state: key -> zone, action and encoding. */
function view(d: DesiredState): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, e] of d.all())
    out.set(k, `${e.zone} ${e.action} ${e.encoded.toString('hex')} ${e.tableId} ${d.ownerOf(k)}`);
  return out;
}

/** A change an operator could make to a zone's entries (some of them invalid). */
type Op = {
  kind: 'same' | 'param' | 'drop' | 'dup' | 'steal' | 'move' | 'value';
  zone: number;
  at: number;
  other: number;
};

function apply(op: Op, current: PlannedEntry[][]): PlannedEntry[] {
  const es = copy(current[op.zone]);
  const i = es.length === 0 ? 0 : op.at % es.length;
  const e = es[i];
  if (op.kind === 'param' && e?.params[0]) e.params[0].value = String((op.other % 60) + 1);
  if (op.kind === 'value' && e?.match[0]) e.match[0].value = String(op.other % 500);
  if (op.kind === 'drop') es.splice(i, 1);
  if (op.kind === 'dup' && e) es.push(copy([e])[0]);
  if (op.kind === 'move' && e) {
    es.splice(i, 1);
    es.splice(op.other % (es.length + 1), 0, e);
  }
  if (op.kind === 'steal') {
    const o = ZONES[op.other % ZONES.length]?.entries ?? [];
    if (o.length > 0) es.push(copy([o[op.at % o.length]])[0]);
  }
  return es;
}

describe('sidecar/desired-state: reusing the unchanged entries of a zone update', () => {
  it('takes over an unchanged entry as it was and translates a changed one', () => {
    const d = new DesiredState(new P4InfoIndex(P4INFO));
    const z = ZONES[0];
    assert.ok(z);
    d.commit(d.prepare(z.zone, 1, copy(z.entries)));
    const first = [...(d.zones.get(z.zone)?.entries.values() ?? [])];
    const next = copy(z.entries);
    const mark = next.findIndex((e) => e.params.some((p) => p.name === 'dscp'));
    (next[mark]?.params[0] as { value: string }).value = '8';
    d.commit(d.prepare(z.zone, 2, next));
    const second = d.zones.get(z.zone)?.translated ?? [];
    for (const [i, e] of second.entries()) {
      if (i === mark) assert.notEqual(e, first[i], 'the changed entry is translated again');
      else assert.equal(e, first[i], `entry ${i} is the same object`);
    }
  });

  it('ends in exactly the state a fresh sidecar builds from the same updates, through changes, drops, moves and rejections', () => {
    const op: fc.Arbitrary<Op> = fc.record({
      kind: fc.constantFrom(
        'same' as const,
        'param' as const,
        'drop' as const,
        'dup' as const,
        'steal' as const,
        'move' as const,
        'value' as const,
      ),
      zone: fc.nat({ max: ZONES.length - 1 }),
      at: fc.nat({ max: 40 }),
      other: fc.nat({ max: 1000 }),
    });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), (ops) => {
        const index = new P4InfoIndex(P4INFO);
        const d = new DesiredState(index);
        const current = ZONES.map((z) => copy(z.entries));
        for (const [i, z] of ZONES.entries()) d.commit(d.prepare(z.zone, 1, copy(current[i])));
        for (const o of ops) {
          const next = apply(o, current);
          const zone = ZONES[o.zone]?.zone;
          let accepted = true;
          try {
            d.commit(d.prepare(zone, 2, copy(next)));
          } catch (e) {
            assert.ok(e instanceof DesiredStateError);
            accepted = false;
          }
          // A sidecar without history decides the same, and holds the same afterwards.
          const build = (inputs: PlannedEntry[][]): DesiredState | undefined => {
            const fresh = new DesiredState(index);
            try {
              for (const [i, z] of ZONES.entries()) fresh.commit(fresh.prepare(z.zone, 1, copy(inputs[i])));
            } catch {
              return undefined;
            }
            return fresh;
          };
          const withNext = build(ZONES.map((_, i) => (i === o.zone ? next : current[i])));
          assert.equal(accepted, withNext !== undefined, `${o.kind}: accepted ${accepted}`);
          if (accepted) current[o.zone] = next;
          const fresh = build(current);
          assert.ok(fresh);
          assert.deepEqual(view(d), view(fresh));
          assert.equal(d.size(), [...d.all().keys()].length);
        }
      }),
      { numRuns: 150 },
    );
  });
});
