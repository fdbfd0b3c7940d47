// Properties of the CRDs that the API server would not check, or would
// only check at install time: a description on every field (kubectl explain
// teaches the API), a type on every node (structural), bounds on every list
// that CEL walks (cost), keys of list maps required, and the checked-in
// YAML equal to what the generator makes.

import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { allCrds, crdFileName } from '../../../tools/codegen/crds.js';
import { generatedFiles } from '../../../tools/codegen/generated-files.js';
import type { JSONSchemaProps } from '../../../tools/codegen/json-schema.js';
import { LIMITS } from '../../../src/core/zones/zone-spec.js';
import { listFiles, readText, repoRoot } from './repo-files.js';

function walk(node: JSONSchemaProps, path: string, visit: (n: JSONSchemaProps, path: string) => void): void {
  visit(node, path);
  for (const [k, child] of Object.entries(node.properties ?? {})) walk(child, `${path}.${k}`, visit);
  if (node.items) walk(node.items, `${path}[]`, visit);
  if (node.additionalProperties) walk(node.additionalProperties, `${path}.*`, visit);
}

function schemaOf(kind: string): JSONSchemaProps {
  const crd = allCrds().find((c) => c.spec.names.kind === kind);
  assert.ok(crd, kind);
  return crd.spec.versions[0].schema.openAPIV3Schema;
}

function at(schema: JSONSchemaProps, path: string): JSONSchemaProps {
  let node = schema;
  for (const part of path.split('.')) {
    const next = part === '[]' ? node.items : part === '*' ? node.additionalProperties : node.properties?.[part];
    assert.ok(next, `no ${part} in ${path}`);
    node = next;
  }
  return node;
}

describe('CRD structure', () => {
  for (const crd of allCrds()) {
    const kind = crd.spec.names.kind;
    const schema = crd.spec.versions[0].schema.openAPIV3Schema;

    it(`${kind}: every field has a description`, () => {
      const missing: string[] = [];
      walk(schema, kind, (n, p) => {
        // The API server forbids a description on the root metadata node itself.
        if (p === `${kind}.metadata`) return;
        if (!n.description || n.description.trim().length < 8) missing.push(p);
      });
      assert.deepEqual(missing, []);
    });

    it(`${kind}: every node is typed (structural schema)`, () => {
      const untyped: string[] = [];
      walk(schema, kind, (n, p) => {
        if (n.type === undefined && !n['x-kubernetes-int-or-string'] && !n['x-kubernetes-preserve-unknown-fields'])
          untyped.push(p);
      });
      assert.deepEqual(untyped, []);
    });

    it(`${kind}: list-map keys are required and CEL-walked lists are bounded`, () => {
      walk(schema, kind, (n, p) => {
        if (n['x-kubernetes-list-type'] === 'map') {
          for (const key of n['x-kubernetes-list-map-keys'] ?? [])
            assert.ok(n.items?.required?.includes(key), `${p}: map key ${key} must be required`);
        }
        const walksSelf = (n['x-kubernetes-validations'] ?? []).some((r) =>
          /\bself\.(all|exists|exists_one|map|filter)\(/.test(r.rule),
        );
        if (walksSelf && n.type === 'array')
          assert.ok(n.maxItems !== undefined, `${p}: CEL walks the list, so it needs maxItems`);
        if (walksSelf && n.type === 'object')
          assert.ok(n.maxProperties !== undefined, `${p}: CEL walks the map, so it needs maxProperties`);
      });
    });

    it(`${kind}: has the status subresource, a short name and an Age column`, () => {
      const v = crd.spec.versions[0];
      assert.deepEqual(v.subresources, { status: {} });
      assert.equal(crd.spec.names.shortNames.length, 1);
      assert.ok(
        v.additionalPrinterColumns.some((c) => c.name === 'Age' && c.jsonPath === '.metadata.creationTimestamp'),
      );
      for (const c of v.additionalPrinterColumns) {
        // A column must point at a field the schema has, or it stays empty for ever.
        if (c.jsonPath.startsWith('.metadata')) continue;
        const path = c.jsonPath.replace(/^\./, '').replace(/\[\?\(@\.type=="Ready"\)\]\.status$/, '.[].status');
        at(schema, path);
      }
    });
  }

  it('uses the limits of the core for counts and sizes', () => {
    const group = at(schemaOf('ExecutionZone'), 'spec.groups.[]');
    for (const k of ['count', 'cores', 'memory', 'storage'] as const) {
      assert.equal(group.properties![k].minimum, 1, k);
      assert.equal(group.properties![k].maximum, LIMITS[k], k);
    }
  });

  it('names the scopes and short names the API promises', () => {
    const got = allCrds().map((c) => `${c.spec.names.kind} ${c.spec.scope} ${c.spec.names.shortNames.join(',')}`);
    assert.deepEqual(got, [
      'ExecutionZone Namespaced ez',
      'ZoneRelease Namespaced zr',
      'ProviderCluster Cluster zkpc',
      'PrivacyRegion Cluster zkpr',
    ]);
  });

  it('ships CEL rules for what the schema cannot say', () => {
    const rules = (kind: string, path: string): string[] =>
      (at(schemaOf(kind), path)['x-kubernetes-validations'] ?? []).map((r) => r.rule);
    assert.ok(rules('ExecutionZone', 'spec.applicationId').includes('self == oldSelf'));
    assert.ok(rules('ExecutionZone', 'spec.groups').some((r) => r.includes('oldSelf.all')));
    assert.equal(rules('ExecutionZone', 'spec.privacy.regions.[]').length, 2);
    assert.ok(rules('ZoneRelease', 'spec.trigger').some((r) => r.endsWith('== 1')));
    assert.ok(rules('ZoneRelease', 'spec.zoneRef').includes('self == oldSelf'));
    assert.equal(rules('ProviderCluster', 'spec').filter((r) => r.includes('has(self.capacity.')).length, 2);
    assert.equal(at(schemaOf('ExecutionZone'), 'spec.groups')['x-kubernetes-list-type'], 'map');
  });

  describe('generated files', () => {
    it('are up to date (run npm run gen:crds after changing tools/codegen or the core data)', () => {
      const stale = generatedFiles(repoRoot()).filter((f) => {
        try {
          return readText(f.path) !== f.content;
        } catch {
          return true;
        }
      });
      assert.deepEqual(
        stale.map((f) => f.path),
        [],
      );
    });

    it('crds/ holds exactly the four CRDs, and the chart the same bytes', () => {
      const names = allCrds().map(crdFileName).sort();
      assert.deepEqual(
        listFiles('crds').map((f) => f.slice('crds/'.length)),
        names,
      );
      assert.deepEqual(
        listFiles('charts/zonekeeper/crds').map((f) => f.slice('charts/zonekeeper/crds/'.length)),
        names,
      );
      for (const n of names) assert.equal(readText(`charts/zonekeeper/crds/${n}`), readText(`crds/${n}`), n);
    });

    it('parse back to the generator output', () => {
      for (const crd of allCrds())
        assert.deepEqual(yaml.load(readText(`crds/${crdFileName(crd)}`)), JSON.parse(JSON.stringify(crd)));
    });
  });
});
