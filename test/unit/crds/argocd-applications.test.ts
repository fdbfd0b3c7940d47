// deploy/argocd/: the add-on Application and the tenant's zones Application
// sync in the order a zone needs (CRDs, regions, providers, then zones), and
// a synced zone does not stay OutOfSync over the finalizer the operator adds.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { allCrds, SYNC_WAVE, SYNC_WAVES } from '../../../tools/codegen/crds.js';
import { builtinRegionManifests } from '../../../tools/codegen/region-manifests.js';
import { readYamlDocs, repoRoot } from './repo-files.js';

interface Application {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    source?: { path: string; repoURL: string };
    sources?: { path: string; repoURL: string }[];
    destination: { namespace: string };
    syncPolicy: { automated?: { prune: boolean }; syncOptions?: string[] };
    ignoreDifferences?: { group: string; kind: string; jsonPointers?: string[] }[];
  };
}

const app = (file: string): Application => {
  const [doc] = readYamlDocs(`deploy/argocd/${file}`) as Application[];
  assert.ok(doc, file);
  assert.equal(doc.kind, 'Application');
  return doc;
};
const wave = (annotations: Record<string, string> | undefined): number => Number(annotations?.[SYNC_WAVE] ?? '0');

describe('Argo CD Applications (deploy/argocd/)', () => {
  const addon = app('zonekeeper-addon.application.yaml');
  const zones = app('zonekeeper-tenant-zones.application.yaml');

  it('waves order CRDs, regions and providers before zones', () => {
    assert.ok(
      SYNC_WAVES.crds < SYNC_WAVES.regions &&
        SYNC_WAVES.regions < SYNC_WAVES.providers &&
        SYNC_WAVES.providers < SYNC_WAVES.zones,
    );
    for (const crd of allCrds()) assert.equal(wave(crd.metadata.annotations), SYNC_WAVES.crds, crd.metadata.name);
    for (const r of builtinRegionManifests())
      assert.equal(wave(r.metadata.annotations), SYNC_WAVES.regions, r.metadata.name);
    // The shipped files carry the same annotations (what Argo CD reads).
    for (const [file, want] of [
      ['crds/executionzones.zonekeeper.io.yaml', SYNC_WAVES.crds],
      ['deploy/regions/02-eea.yaml', SYNC_WAVES.regions],
    ] as const) {
      const [doc] = readYamlDocs(file) as { metadata: { annotations?: Record<string, string> } }[];
      assert.equal(wave(doc?.metadata.annotations), want, file);
    }
  });

  it('the add-on Application syncs before the tenant Application', () => {
    assert.ok(wave(addon.metadata.annotations) < wave(zones.metadata.annotations));
  });

  it('the add-on Application installs the chart in this repository', () => {
    const chart = addon.spec.sources?.find((s) => s.path === 'charts/zonekeeper');
    assert.ok(chart, 'a source with path charts/zonekeeper');
    assert.ok(existsSync(join(repoRoot(), chart.path, 'Chart.yaml')));
    assert.ok(
      addon.spec.syncPolicy.syncOptions?.includes('SkipDryRunOnMissingResource=true'),
      'regions sync with their CRD',
    );
  });

  it('the tenant Application ignores the operator finalizer, on diff and on sync, and never prunes zones', () => {
    const ez = zones.spec.ignoreDifferences?.find((d) => d.group === 'zonekeeper.io' && d.kind === 'ExecutionZone');
    assert.deepEqual(ez?.jsonPointers, ['/metadata/finalizers']);
    assert.ok(zones.spec.syncPolicy.syncOptions?.includes('RespectIgnoreDifferences=true'));
    assert.equal(zones.spec.syncPolicy.automated?.prune, false);
  });
});
