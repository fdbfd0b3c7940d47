// How an instance joins its zone's network on a member cluster, as data
// (pure; the controllers write it): one Multus NetworkAttachmentDefinition
// per zone in the zone's member namespace, putting an interface on the
// zone's VLAN over the provider's uplink to the switch with static IPAM; the
// pod annotation that asks for it with the instance's address and MAC; and
// the KubeVirt interface, network and cloud-init network data for a VM. The
// MAC is instanceMac(address): derived from the allocation, so a restart or
// a failover computes the same one, and it is what mac_forward matches.
import { instanceMac } from './p4-entries.js';
import type { InstanceAddress, ZoneNetworkPlan } from './types.js';

export const NAD_API_VERSION = 'k8s.cni.cncf.io/v1';
export const NETWORKS_ANNOTATION = 'k8s.v1.cni.cncf.io/networks';
/** The interface name inside the pod or VM. */
export const ZONE_INTERFACE = 'zone0';

export interface NetworkAttachmentDefinition {
  apiVersion: typeof NAD_API_VERSION;
  kind: 'NetworkAttachmentDefinition';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { config: string };
}

/**
 * A Linux network interface name, as the kernel takes it (at most 15
 * bytes, IFNAMSIZ less its NUL; no "/", ":" or white space), kept to the
 * plain characters real uplinks use and starting with a letter or digit
 * (so never "." or ".."). RE2 and ECMAScript agree on it: the CRD carries it.
 */
export const INTERFACE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;
export const INTERFACE_NAME_RULE =
  'must be a Linux network interface name: 1-15 letters, digits, "_", "." or "-", starting with a letter or digit (e.g. eth1, bond0.10, ens2f0)';

/** `zone-<VLAN>`: one per zone and namespace. */
export const attachmentName = (plan: ZoneNetworkPlan): string => `zone-${plan.vlanId}`;

const prefixLength = (plan: ZoneNetworkPlan): number => Number(plan.network.split('/')[1] ?? '64');

/**
 * The zone's NetworkAttachmentDefinition. `uplink` is the member node's
 * interface towards the switch (the ProviderCluster's uplink). The CNI chain:
 * `vlan` (sub-interface of the uplink on the zone's VLAN, static IPAM, the
 * address from the pod's `ips`), then `tuning` (the MAC from the pod's `mac`).
 */
export function zoneAttachment(plan: ZoneNetworkPlan, namespace: string, uplink: string): NetworkAttachmentDefinition {
  if (!INTERFACE_NAME.test(uplink)) throw new Error(`uplink: ${INTERFACE_NAME_RULE}, got "${uplink}"`);
  const config = {
    cniVersion: '0.4.0',
    name: attachmentName(plan),
    plugins: [
      {
        type: 'vlan',
        master: uplink,
        vlanId: plan.vlanId,
        linkInContainer: false,
        ipam: { type: 'static' },
        capabilities: { ips: true },
      },
      { type: 'tuning', capabilities: { mac: true } },
    ],
  };
  return {
    apiVersion: NAD_API_VERSION,
    kind: 'NetworkAttachmentDefinition',
    metadata: { name: attachmentName(plan), namespace, labels: { 'zonekeeper.io/zone': plan.applicationId } },
    spec: { config: JSON.stringify(config) },
  };
}

export interface ZoneInterface {
  address: string;
  cidr: string;
  mac: string;
}

export function zoneInterface(plan: ZoneNetworkPlan, instance: InstanceAddress): ZoneInterface {
  return {
    address: instance.address,
    cidr: `${instance.address}/${prefixLength(plan)}`,
    mac: instanceMac(instance.address),
  };
}

/** The value of the pod annotation k8s.v1.cni.cncf.io/networks for this instance. */
export function podNetworksAnnotation(plan: ZoneNetworkPlan, namespace: string, instance: InstanceAddress): string {
  const z = zoneInterface(plan, instance);
  return JSON.stringify([
    { name: attachmentName(plan), namespace, interface: ZONE_INTERFACE, ips: [z.cidr], mac: z.mac },
  ]);
}

/** A KubeVirt VM's share: its bridge interface and Multus network, and cloud-init network data (v2) with the address. */
export function vmZoneNetwork(
  plan: ZoneNetworkPlan,
  namespace: string,
  instance: InstanceAddress,
): {
  interface: { name: string; bridge: Record<string, never>; macAddress: string };
  network: { name: string; multus: { networkName: string } };
  networkData: string;
} {
  const z = zoneInterface(plan, instance);
  const networkData = [
    'version: 2',
    'ethernets:',
    `  ${ZONE_INTERFACE}:`,
    '    match:',
    `      macaddress: "${z.mac}"`,
    `    set-name: ${ZONE_INTERFACE}`,
    `    addresses: ["${z.cidr}"]`,
    '',
  ].join('\n');
  return {
    interface: { name: 'zone', bridge: {}, macAddress: z.mac },
    network: { name: 'zone', multus: { networkName: `${namespace}/${attachmentName(plan)}` } },
    networkData,
  };
}
