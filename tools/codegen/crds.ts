// The four CRDs, assembled from the schema modules. `npm run gen:crds`
// writes them to crds/ and charts/zonekeeper/crds/; a unit test fails when
// the files on disk and this module disagree.

import { API_GROUP, API_VERSION } from '../../src/core/api/types.js';
import { executionZoneSchema } from './execution-zone-schema.js';
import type { CustomResourceDefinition, JSONSchemaProps, PrinterColumn } from './json-schema.js';
import { privacyRegionSchema } from './privacy-region-schema.js';
import { providerClusterSchema } from './provider-cluster-schema.js';
import { zoneReleaseSchema } from './zone-release-schema.js';

/** Argo CD applies lower waves first and waits for them to be healthy. */
export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/**
 * The order a GitOps sync must follow: a CRD must be Established before its
 * objects, a zone names regions in its rules and is placed on providers, so
 * regions and providers come before zones (deploy/argocd/ uses the same).
 */
export const SYNC_WAVES = { crds: -3, regions: -2, providers: -1, zones: 0 } as const;

export interface KindInfo {
  kind: string;
  plural: string;
  singular: string;
  /**
   * kubectl resolves a short name to the first resource that claims it, built-ins
   * first: `pc` is PriorityClass and `pr` is Tekton's PipelineRun, so the catalogue
   * kinds carry a `zk` prefix. test/unit/crds/short-names.test.ts and the hub
   * discovery test hold every short name against what else is installed.
   */
  shortName: string;
  scope: 'Namespaced' | 'Cluster';
  schema: () => JSONSchemaProps;
  columns: PrinterColumn[];
}

const READY = (what: string): PrinterColumn => ({
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
  description: `Whether the ${what} is ready (the Ready condition).`,
});
const AGE: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Time since creation.',
};

export const KINDS: readonly KindInfo[] = [
  {
    kind: 'ExecutionZone',
    plural: 'executionzones',
    singular: 'executionzone',
    shortName: 'ez',
    scope: 'Namespaced',
    schema: executionZoneSchema,
    columns: [
      READY('zone'),
      { name: 'VLAN', type: 'integer', jsonPath: '.status.vlanId', description: "The zone's VLAN ID." },
      { name: 'Providers', type: 'string', jsonPath: '.status.providers', description: 'The providers the zone uses.' },
      {
        name: 'Marking',
        type: 'string',
        jsonPath: '.status.marking',
        description: 'DSCP privacy marking, bits 7..2 (Table V).',
      },
      {
        name: 'Application',
        type: 'string',
        jsonPath: '.spec.applicationId',
        description: "The paper's application_id.",
        priority: 1,
      },
      {
        name: 'Network',
        type: 'string',
        jsonPath: '.status.network',
        description: "The zone's IPv6 /64.",
        priority: 1,
      },
      AGE,
    ],
  },
  {
    kind: 'ZoneRelease',
    plural: 'zonereleases',
    singular: 'zonerelease',
    shortName: 'zr',
    scope: 'Namespaced',
    schema: zoneReleaseSchema,
    columns: [
      { name: 'Zone', type: 'string', jsonPath: '.spec.zoneRef.name', description: 'The ExecutionZone released from.' },
      {
        name: 'Phase',
        type: 'string',
        jsonPath: '.status.phase',
        description: 'Pending, Waiting, Releasing, Succeeded or Failed.',
      },
      {
        name: 'Release-Time',
        type: 'date',
        jsonPath: '.status.releaseTime',
        description: 'When the release takes or took effect.',
        priority: 1,
      },
      AGE,
    ],
  },
  {
    kind: 'ProviderCluster',
    plural: 'providerclusters',
    singular: 'providercluster',
    shortName: 'zkpc',
    scope: 'Cluster',
    schema: providerClusterSchema,
    columns: [
      {
        name: 'Provider',
        type: 'string',
        jsonPath: '.spec.providerName',
        description: 'The provider name the paper uses.',
      },
      { name: 'Country', type: 'string', jsonPath: '.spec.country', description: 'MCC or ISO 3166-1 alpha-2 code.' },
      { name: 'Tier', type: 'string', jsonPath: '.spec.tier', description: 'cloud or fog.' },
      { name: 'Environment', type: 'string', jsonPath: '.spec.environment', description: 'VM or container.' },
      READY('provider'),
      {
        name: 'Order',
        type: 'integer',
        jsonPath: '.spec.catalogueOrder',
        description: 'Catalogue position.',
        priority: 1,
      },
      AGE,
    ],
  },
  {
    kind: 'PrivacyRegion',
    plural: 'privacyregions',
    singular: 'privacyregion',
    shortName: 'zkpr',
    scope: 'Cluster',
    schema: privacyRegionSchema,
    columns: [
      { name: 'Bit', type: 'integer', jsonPath: '.spec.markingBit', description: 'DSCP marking bit (2–7).' },
      READY('region'),
      {
        name: 'Providers',
        type: 'integer',
        jsonPath: '.status.providers',
        description: 'ProviderClusters located in the region.',
      },
      {
        name: 'Zones',
        type: 'integer',
        jsonPath: '.status.zones',
        description: 'ExecutionZones whose rules name the region.',
      },
      {
        name: 'Description',
        type: 'string',
        jsonPath: '.spec.description',
        description: 'What the region is.',
        priority: 1,
      },
      AGE,
    ],
  },
];

export function crdFor(info: KindInfo): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${info.plural}.${API_GROUP}`,
      labels: { 'app.kubernetes.io/name': 'zonekeeper', 'app.kubernetes.io/part-of': 'zonekeeper' },
      annotations: { [SYNC_WAVE]: String(SYNC_WAVES.crds) },
    },
    spec: {
      group: API_GROUP,
      scope: info.scope,
      names: {
        kind: info.kind,
        listKind: `${info.kind}List`,
        plural: info.plural,
        singular: info.singular,
        shortNames: [info.shortName],
        categories: ['zonekeeper'],
      },
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: info.schema() },
          subresources: { status: {} },
          additionalPrinterColumns: info.columns,
        },
      ],
    },
  };
}

export function allCrds(): CustomResourceDefinition[] {
  return KINDS.map(crdFor);
}

/** crds/<plural>.<group>.yaml, the file each CRD is written to. */
export function crdFileName(crd: CustomResourceDefinition): string {
  return `${crd.metadata.name}.yaml`;
}
