// kubectl resolves `kubectl get <short name>` to one resource. Every short
// name zonekeeper ships must be unique among its own kinds and stay clear of
// the short names common add-ons claim (the built-ins are checked against a
// real hub's discovery in test/integration/admission/short-names.test.ts).

import assert from 'node:assert/strict';
import { allCrds } from '../../../tools/codegen/crds.js';
import { COMMON_CRD_SHORT_NAMES } from '../../support/common-short-names.js';

describe('CRD short names', () => {
  const ours = allCrds().flatMap((c) => c.spec.names.shortNames.map((s) => ({ kind: c.spec.names.kind, short: s })));

  it('are unique among zonekeeper kinds and not a plural or singular of another', () => {
    const seen = new Map<string, string>();
    for (const c of allCrds())
      for (const n of [c.spec.names.plural, c.spec.names.singular]) seen.set(n, c.spec.names.kind);
    for (const { kind, short } of ours) {
      assert.ok(!seen.has(short) || seen.get(short) === kind, `${kind}: ${short} is already ${seen.get(short)}`);
      seen.set(short, kind);
    }
  });

  for (const [addOn, names] of Object.entries(COMMON_CRD_SHORT_NAMES)) {
    it(`collide with none of ${addOn}'s`, () => {
      for (const { kind, short } of ours)
        assert.ok(!names.includes(short), `${kind}'s short name ${short} is also ${addOn}'s`);
    });
  }

  it('ProviderCluster is not `pc` (PriorityClass) and PrivacyRegion not `pr` (Tekton PipelineRun)', () => {
    const of = (kind: string) => ours.filter((o) => o.kind === kind).map((o) => o.short);
    assert.ok(!of('ProviderCluster').includes('pc'));
    assert.ok(!of('PrivacyRegion').includes('pr'));
  });
});
