// The paper's examples and every manifest the project ships are valid
// against the CRD schemas (structure only; CEL rules run in the admission
// integration tests), and the core accepts them too, so the API server and
// compileZone/providerFromManifest/regionFromSpec never disagree on them.

import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { allCrds } from '../../../tools/codegen/crds.js';
import { HEALTH_KINDS } from '../../../tools/codegen/generated-files.js';
import type { JSONSchemaProps } from '../../../tools/codegen/json-schema.js';
import type { ExecutionZone, PrivacyRegion } from '../../../src/core/api/types.js';
import { providerFromManifest } from '../../../src/core/catalogue/provider.js';
import { formatFieldErrors } from '../../../src/core/errors.js';
import { RegionCatalogue, regionFromSpec } from '../../../src/core/privacy/region-catalogue.js';
import { compileZone } from '../../../src/core/zones/zone-spec.js';
import { paperManifests } from './paper-manifests.js';
import { listFiles, readText, readYamlDocs } from './repo-files.js';
import { type SchemaError, validateObject } from './schema-validator.js';

function schemaOf(kind: string): JSONSchemaProps {
  const crd = allCrds().find((c) => c.spec.names.kind === kind);
  if (!crd) throw new Error(`no CRD for ${kind}`);
  return crd.spec.versions[0].schema.openAPIV3Schema;
}

function errorsOf(obj: unknown): SchemaError[] {
  const kind = (obj as { kind?: string }).kind ?? '';
  return validateObject(schemaOf(kind), obj);
}

function show(errors: SchemaError[]): string {
  return errors.map((e) => `${e.path}: ${e.reason}`).join('\n');
}

function kindOf(doc: unknown): string | undefined {
  return (doc as { kind?: string; apiVersion?: string }).apiVersion?.startsWith('zonekeeper.io/')
    ? (doc as { kind: string }).kind
    : undefined;
}

/** ```yaml blocks of a Markdown file that hold zonekeeper objects. */
function yamlBlocks(md: string): unknown[] {
  const docs: unknown[] = [];
  for (const m of md.matchAll(/```yaml\n([\s\S]*?)```/g)) {
    for (const d of yaml.loadAll(m[1] ?? '')) if (d !== null && kindOf(d)) docs.push(d);
  }
  return docs;
}

describe('examples against the CRD schemas', () => {
  it('accepts every ProviderCluster of examples/paper/providers.yaml, as the core does', () => {
    const docs = readYamlDocs('examples/paper/providers.yaml');
    assert.equal(docs.length, 8);
    for (const d of docs) {
      assert.equal(show(errorsOf(d)), '', JSON.stringify(d));
      const core = providerFromManifest(d);
      assert.equal(formatFieldErrors(core.errors), '');
    }
  });

  it("accepts the paper's Tables II and III as ExecutionZones and ZoneReleases, as the core does", () => {
    const objects = paperManifests();
    assert.equal(objects.filter((o) => o.kind === 'ExecutionZone').length, 8);
    assert.equal(objects.filter((o) => o.kind === 'ZoneRelease').length, 2);
    const catalogue = RegionCatalogue.builtin();
    for (const o of objects) {
      assert.equal(show(errorsOf(o)), '', `${o.kind} ${o.metadata.name}`);
      if (o.kind === 'ExecutionZone') assert.equal(formatFieldErrors(compileZone(o.spec, catalogue).errors), '');
    }
  });

  it('accepts the built-in PrivacyRegions, as the core does', () => {
    const files = listFiles('deploy/regions');
    assert.equal(files.length, 6);
    for (const f of files) {
      const [doc] = readYamlDocs(f) as PrivacyRegion[];
      assert.ok(doc);
      assert.equal(show(errorsOf(doc)), '', f);
      assert.equal(formatFieldErrors(regionFromSpec(doc.metadata.name, doc.spec).errors), '', f);
    }
  });

  it('accepts every object of examples/ (zones, releases, catalogue), as the core does', () => {
    let zones = 0;
    for (const dir of ['examples/zones', 'examples/releases', 'examples/catalogue']) {
      const files = listFiles(dir);
      assert.ok(files.length > 0, dir);
      for (const f of files) {
        for (const d of readYamlDocs(f)) {
          const kind = kindOf(d);
          if (!kind) continue;
          assert.equal(show(errorsOf(d)), '', f);
          if (kind === 'ExecutionZone') {
            zones++;
            assert.equal(
              formatFieldErrors(compileZone((d as ExecutionZone).spec, RegionCatalogue.builtin()).errors),
              '',
              f,
            );
          }
          if (kind === 'ProviderCluster') assert.equal(formatFieldErrors(providerFromManifest(d).errors), '', f);
          if (kind === 'PrivacyRegion')
            assert.equal(
              formatFieldErrors(regionFromSpec((d as PrivacyRegion).metadata.name, (d as PrivacyRegion).spec).errors),
              '',
              f,
            );
        }
      }
    }
    // One of each kind: containers, VMs, GPU, mixed, and the scale-up.
    assert.equal(zones, 5);
  });

  it('accepts the Argo CD health-check test objects', () => {
    for (const kind of HEALTH_KINDS) {
      const dir = `deploy/argocd/resource_customizations/zonekeeper.io/${kind}/testdata`;
      const files = listFiles(dir);
      assert.ok(files.length > 0, dir);
      for (const f of files) for (const d of readYamlDocs(f)) assert.equal(show(errorsOf(d)), '', f);
    }
  });

  it('accepts every zonekeeper object in the YAML examples of docs/api.md and docs/install.md', function () {
    let n = 0;
    for (const f of ['docs/api.md', 'docs/install.md']) {
      let md: string;
      try {
        md = readText(f);
      } catch {
        this.skip();
      }
      for (const d of yamlBlocks(md)) {
        n++;
        assert.equal(show(errorsOf(d)), '', `${f}: ${JSON.stringify(d)}`);
      }
    }
    assert.ok(n > 0, 'the docs show no examples');
  });

  describe('the validator names the bad field', () => {
    const zone = (): ExecutionZone => structuredClone(paperManifests()[0] as ExecutionZone);
    const cases: [string, (z: ExecutionZone) => void, RegExp][] = [
      [
        'memory as a string',
        (z) => ((z.spec.groups[0] as unknown as Record<string, unknown>)['memory'] = '1Gi'),
        /^spec\.groups\[0\]\.memory: must be of type integer/,
      ],
      [
        'unknown environment',
        (z) => ((z.spec.groups[0] as unknown as Record<string, unknown>)['environment'] = 'baremetal'),
        /^spec\.groups\[0\]\.environment: unsupported value/,
      ],
      ['zero cores', (z) => (z.spec.groups[0].cores = 0), /^spec\.groups\[0\]\.cores: must be at least 1/],
      ['no groups', (z) => (z.spec.groups = []), /^spec\.groups: must have at least 1 items/],
      ['a bad UUID', (z) => (z.spec.applicationId = 'not-a-uuid'), /^spec\.applicationId: must match/],
      [
        'duplicate group names',
        (z) => z.spec.groups.push({ ...z.spec.groups[0] }),
        /^spec\.groups\[1\]: duplicate key/,
      ],
      [
        'a misspelt field',
        (z) => ((z.spec as unknown as Record<string, unknown>)['group'] = []),
        /^spec\.group: unknown field/,
      ],
    ];
    for (const [what, mutate, expected] of cases) {
      it(`rejects ${what}`, () => {
        const z = zone();
        mutate(z);
        assert.match(show(errorsOf(z)), expected);
      });
    }
  });
});
