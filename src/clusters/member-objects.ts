// What zonekeeper creates in a member cluster for a zone: one namespace
// per zone holding the zone's NetworkAttachmentDefinition, and per live
// instance a pod (containers) or a KubeVirt VirtualMachine (VMs) with an
// interface on the zone's network. Names are deterministic (the namespace from the
// application id, the object from the instance name), so creating twice
// is a 409 and never a duplicate. Labels carry the zone's identity: owner
// references cannot cross clusters, so cleanup and orphan collection find
// objects by label.

import type { ZoneNetworkPlan } from '../core/network/types.js';
import {
  NETWORKS_ANNOTATION,
  type NetworkAttachmentDefinition,
  podNetworksAnnotation,
  vmZoneNetwork,
  zoneAttachment,
} from '../core/network/zone-attachment.js';
import type { RestartPolicy } from '../core/api/types.js';
import type { InstanceAllocation } from '../core/zones/allocation.js';
import type { KubeObject, ResourceRef } from '../runtime/kube-client.js';

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  applicationId: 'zonekeeper.io/application-id',
  zoneNamespace: 'zonekeeper.io/zone-namespace',
  zoneName: 'zonekeeper.io/zone-name',
  instance: 'zonekeeper.io/instance',
  group: 'zonekeeper.io/group',
} as const;
export const MANAGER = 'zonekeeper';
/** `namespace/name` of the ExecutionZone (a label value cannot hold "/"). */
export const ZONE_ANNOTATION = 'zonekeeper.io/zone';
export const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGER}`;

/** Label keys the test bed (and a real provider) puts on nodes; tools/testbed/fake-nodes.ts. */
export const NODE_LABELS = {
  provider: 'zonekeeper.io/provider',
  gpu: 'zonekeeper.io/gpu',
  fpga: 'zonekeeper.io/fpga',
} as const;
export const GPU_RESOURCE = 'nvidia.com/gpu';
export const FPGA_RESOURCE = 'zonekeeper.io/fpga';

export const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', namespaced: true };
export const NAMESPACES: ResourceRef = { group: '', version: 'v1', plural: 'namespaces', namespaced: false };
export const NODES: ResourceRef = { group: '', version: 'v1', plural: 'nodes', namespaced: false };
export const VIRTUAL_MACHINES: ResourceRef = {
  group: 'kubevirt.io',
  version: 'v1',
  plural: 'virtualmachines',
  namespaced: true,
};

/** Multus's NetworkAttachmentDefinition (k8s.cni.cncf.io/v1). */
export const NETWORK_ATTACHMENTS: ResourceRef = {
  group: 'k8s.cni.cncf.io',
  version: 'v1',
  plural: 'network-attachment-definitions',
  namespaced: true,
};

export interface ZoneIdentity {
  applicationId: string;
  /** The ExecutionZone on the hub. */
  namespace: string;
  name: string;
}

export function zoneNamespace(applicationId: string): string {
  return `zk-${applicationId.toLowerCase()}`;
}

/** `C3` -> `c3`: Kubernetes names are lower case. */
export function instanceObjectName(instance: string): string {
  return instance.toLowerCase();
}

export function zoneLabels(z: ZoneIdentity): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGER,
    [LABELS.applicationId]: z.applicationId.toLowerCase(),
    [LABELS.zoneNamespace]: z.namespace,
    [LABELS.zoneName]: z.name,
  };
}

export interface MemberNamespace extends KubeObject {
  metadata: NonNullable<KubeObject['metadata']> & { name: string };
  status?: { phase?: string };
}

/** Pod Security admission's label: the level every pod of the namespace must meet. */
export const POD_SECURITY_ENFORCE = 'pod-security.kubernetes.io/enforce';

/**
 * A zone's namespace in one member. Container members get Pod Security
 * `restricted`; VM members `privileged`, because KubeVirt's virt-launcher
 * pods (made by virt-controller, not by zonekeeper) still need it. The
 * operator's own pods meet `restricted` everywhere, and the member's
 * admission policy (deploy/member-rbac.yaml) refuses any other pod from it.
 */
export function desiredNamespace(z: ZoneIdentity, vms: boolean): MemberNamespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: zoneNamespace(z.applicationId),
      labels: { ...zoneLabels(z), [POD_SECURITY_ENFORCE]: vms ? 'privileged' : 'restricted' },
      annotations: { [ZONE_ANNOTATION]: `${z.namespace}/${z.name}` },
    },
  };
}

/** True when the namespace is one zonekeeper made for this zone: the only kind it will use. */
export function ownsNamespace(ns: KubeObject, applicationId: string): boolean {
  const labels = ns.metadata?.labels ?? {};
  return labels[LABELS.managedBy] === MANAGER && labels[LABELS.applicationId] === applicationId.toLowerCase();
}

/**
 * The zone's NetworkAttachmentDefinition in its namespace of one member
 * (the core's zoneAttachment), labelled like every other object zonekeeper
 * makes there, so cleanup and orphan collection find it.
 */
export function desiredAttachment(
  z: ZoneIdentity,
  plan: ZoneNetworkPlan,
  uplink: string,
): NetworkAttachmentDefinition & KubeObject {
  const nad = zoneAttachment(plan, zoneNamespace(z.applicationId), uplink);
  return {
    ...nad,
    metadata: {
      ...nad.metadata,
      labels: { ...nad.metadata.labels, ...zoneLabels(z) },
      annotations: { [ZONE_ANNOTATION]: `${z.namespace}/${z.name}` },
    },
  };
}

function nodeSelector(i: InstanceAllocation): Record<string, string> {
  const s: Record<string, string> = { [NODE_LABELS.provider]: i.provider };
  if (i.resourceType === 'GPU') s[NODE_LABELS.gpu] = 'true';
  if (i.resourceType === 'FPGA') s[NODE_LABELS.fpga] = 'true';
  return s;
}

function resources(i: InstanceAllocation): Record<string, string> {
  const r: Record<string, string> = {
    cpu: String(i.cores),
    memory: `${i.memory}Mi`,
    'ephemeral-storage': `${i.storage}Mi`,
  };
  if (i.resourceType === 'GPU') r[GPU_RESOURCE] = '1';
  if (i.resourceType === 'FPGA') r[FPGA_RESOURCE] = '1';
  return r;
}

function instanceMeta(z: ZoneIdentity, i: InstanceAllocation): NonNullable<KubeObject['metadata']> {
  return {
    name: instanceObjectName(i.name),
    namespace: zoneNamespace(z.applicationId),
    labels: { ...zoneLabels(z), [LABELS.instance]: i.name, [LABELS.group]: i.group },
    annotations: {
      [ZONE_ANNOTATION]: `${z.namespace}/${z.name}`,
      'zonekeeper.io/address': i.address,
      'zonekeeper.io/image': i.image,
    },
  };
}

export interface MemberPod extends KubeObject {
  spec?: {
    nodeName?: string;
    nodeSelector?: Record<string, string>;
    containers: ({
      name: string;
      image: string;
      resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    } & Record<string, unknown>)[];
  } & Record<string, unknown>;
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

/** The image names of the paper (`Ubuntu-22.04`) are not references; lower-casing keeps them valid. */
export function imageReference(image: string): string {
  return image.toLowerCase().replace(/[^a-z0-9./:_-]/g, '-');
}

/** The user an instance's container runs as: `restricted` refuses root, and the image's own user is not known. */
export const INSTANCE_UID = 65532;

/**
 * The instance's pod; `plan` is its zone's network, which Multus attaches
 * it to (the annotation); `restart` is its group's restartPolicy.
 */
export function desiredPod(
  z: ZoneIdentity,
  i: InstanceAllocation,
  plan: ZoneNetworkPlan,
  restart: RestartPolicy = 'Always',
): MemberPod {
  const r = resources(i);
  const meta = instanceMeta(z, i);
  meta.annotations = {
    ...meta.annotations,
    [NETWORKS_ANNOTATION]: podNetworksAnnotation(plan, zoneNamespace(z.applicationId), i),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta,
    spec: {
      nodeSelector: nodeSelector(i),
      // KWOK nodes (and real fog nodes) may carry a taint; the zone's pods must land anyway.
      tolerations: [{ key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule' }],
      // Pod Security `restricted`: a tenant's instance gets no privilege on the member's node.
      securityContext: { runAsNonRoot: true, runAsUser: INSTANCE_UID, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'instance',
          image: imageReference(i.image),
          resources: { requests: r, limits: r },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
      restartPolicy: restart,
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
    },
  };
}

/**
 * A group's restartPolicy as KubeVirt's runStrategy: RerunOnFailure starts
 * the VM again only after a failure, Once never (user-guide, Run Strategies).
 */
export const RUN_STRATEGY: Readonly<Record<RestartPolicy, string>> = {
  Always: 'Always',
  OnFailure: 'RerunOnFailure',
  Never: 'Once',
};

export interface MemberVm extends KubeObject {
  spec?: Record<string, unknown>;
  status?: { ready?: boolean; printableStatus?: string; created?: boolean };
}

/**
 * The instance's VirtualMachine: besides the pod network, a bridge
 * interface on the zone's network (Multus) with the instance's MAC, and
 * the address through cloud-init network data (matched by that MAC).
 */
export function desiredVm(
  z: ZoneIdentity,
  i: InstanceAllocation,
  plan: ZoneNetworkPlan,
  restart: RestartPolicy = 'Always',
): MemberVm {
  const meta = instanceMeta(z, i);
  const zone = vmZoneNetwork(plan, zoneNamespace(z.applicationId), i);
  const requests: Record<string, string> = { memory: `${i.memory}Mi` };
  if (i.resourceType === 'GPU') requests[GPU_RESOURCE] = '1';
  if (i.resourceType === 'FPGA') requests[FPGA_RESOURCE] = '1';
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: meta,
    spec: {
      runStrategy: RUN_STRATEGY[restart],
      // The root disk's size is the instance's storage (a DataVolume template in real KubeVirt).
      template: {
        metadata: { labels: { ...meta.labels, 'kubevirt.io/domain': meta.name ?? '' } },
        spec: {
          nodeSelector: nodeSelector(i),
          domain: {
            cpu: { cores: i.cores },
            resources: { requests },
            devices: {
              disks: [
                { name: 'rootdisk', disk: { bus: 'virtio' } },
                { name: 'cloudinitdisk', disk: { bus: 'virtio' } },
              ],
              interfaces: [{ name: 'default', masquerade: {} }, zone.interface],
            },
          },
          networks: [{ name: 'default', pod: {} }, zone.network],
          volumes: [
            { name: 'rootdisk', containerDisk: { image: imageReference(i.image) } },
            { name: 'cloudinitdisk', cloudInitNoCloud: { networkData: zone.networkData } },
          ],
        },
      },
      dataVolumeTemplates: [],
    },
  };
}

/**
 * Whether the object was made with its interface on the zone's network: a
 * pod with the Multus annotation, a VM with a Multus network. Objects made
 * before zonekeeper attached instances have neither; Multus and KubeVirt
 * read them only when the pod or VM starts, so such an object has to be
 * recreated to join.
 */
export function hasZoneInterface(o: MemberPod | MemberVm, vm: boolean): boolean {
  if (!vm) return (o.metadata?.annotations?.[NETWORKS_ANNOTATION] ?? '') !== '';
  const template = (o as MemberVm).spec?.['template'] as { spec?: { networks?: { multus?: unknown }[] } } | undefined;
  return (template?.spec?.networks ?? []).some((n) => n.multus !== undefined);
}

export function podReady(p: MemberPod): boolean {
  return (
    !p.metadata?.deletionTimestamp &&
    p.status?.phase === 'Running' &&
    (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

export function vmReady(v: MemberVm): boolean {
  return !v.metadata?.deletionTimestamp && v.status?.ready === true;
}

export function instancePhase(o: MemberPod | MemberVm, vm: boolean): string {
  if (o.metadata?.deletionTimestamp) return 'Terminating';
  if (vm) return (o as MemberVm).status?.printableStatus ?? 'Provisioning';
  return (o as MemberPod).status?.phase ?? 'Pending';
}
