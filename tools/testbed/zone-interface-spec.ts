// What the packet stand-in must build for one instance, read from the very
// objects a member cluster holds: the pod's k8s.v1.cni.cncf.io/networks
// annotation (interface name, ips, mac) and the NetworkAttachmentDefinition
// it names (the vlan plugin's master and vlanId). Pure: parsing and checks
// only, every problem a message naming the field and the reason.

export interface NetworkSelection {
  name: string;
  namespace?: string;
  interface?: string;
  ips: string[];
  mac?: string;
}

export interface VlanConfig {
  /** The CNI network name. */
  name: string;
  /** The uplink the vlan plugin puts its sub-interface on. */
  master: string;
  vlanId: number;
}

/** One zone interface of one instance, as the stand-in realises it. */
export interface ZoneInterfaceSpec {
  /** `<member>/<namespace>/<pod>#<index>`: unique on the test bed. */
  key: string;
  provider: string;
  namespace: string;
  pod: string;
  /** The NetworkAttachmentDefinition, `namespace/name`. */
  attachment: string;
  master: string;
  vlanId: number;
  interfaceName: string;
  mac: string;
  /** Addresses with prefix length, as the annotation's `ips`. */
  cidrs: string[];
}

const IFNAME = /^[A-Za-z0-9_.:-]{1,15}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

function fail(field: string, reason: string): never {
  throw new Error(`${field}: ${reason}`);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The networks annotation's value: a JSON list of selections (the short `a,b` form names no ips, so it is refused). */
export function parseNetworksAnnotation(value: string, field: string): NetworkSelection[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    fail(field, 'not JSON (the short comma-separated form carries no ips or mac)');
  }
  if (!Array.isArray(parsed)) fail(field, 'not a JSON list');
  return parsed.map((raw, i): NetworkSelection => {
    const at = `${field}[${i}]`;
    if (!isRecord(raw)) fail(at, 'not an object');
    const { name, namespace, interface: ifname, ips, mac } = raw;
    if (typeof name !== 'string' || name === '') fail(`${at}.name`, 'missing');
    if (namespace !== undefined && typeof namespace !== 'string') fail(`${at}.namespace`, 'not a string');
    if (ifname !== undefined && (typeof ifname !== 'string' || !IFNAME.test(ifname)))
      fail(`${at}.interface`, `${JSON.stringify(ifname)} is not a Linux interface name (1-15 characters)`);
    if (!Array.isArray(ips) || ips.some((x) => typeof x !== 'string')) fail(`${at}.ips`, 'not a list of strings');
    if (mac !== undefined && (typeof mac !== 'string' || !MAC.test(mac.toLowerCase())))
      fail(`${at}.mac`, `${JSON.stringify(mac)} is not a MAC address`);
    return {
      name,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(ifname !== undefined ? { interface: ifname } : {}),
      ips: ips as string[],
      ...(mac !== undefined ? { mac: mac.toLowerCase() } : {}),
    };
  });
}

/** The vlan plugin of a NAD's CNI config (a plugin list or a single plugin). */
export function parseVlanConfig(config: string, field: string): VlanConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(config);
  } catch {
    fail(field, 'not JSON');
  }
  if (!isRecord(parsed)) fail(field, 'not a JSON object');
  const name = typeof parsed['name'] === 'string' ? parsed['name'] : '';
  const plugins = Array.isArray(parsed['plugins']) ? parsed['plugins'] : [parsed];
  const index = plugins.findIndex((p) => isRecord(p) && p['type'] === 'vlan');
  if (index < 0) fail(`${field}.plugins`, 'no plugin of type vlan');
  const vlan = plugins[index] as Record<string, unknown>;
  const at = `${field}.plugins[${index}]`;
  const master = vlan['master'];
  if (typeof master !== 'string' || !IFNAME.test(master))
    fail(`${at}.master`, `"${String(master)}" is not a Linux interface name (1-15 characters)`);
  const vlanId = vlan['vlanId'];
  if (typeof vlanId !== 'number' || !Number.isInteger(vlanId) || vlanId < 1 || vlanId > 4094)
    fail(`${at}.vlanId`, `${String(vlanId)} is not a VLAN id (1-4094)`);
  const ipam = vlan['ipam'];
  if (!isRecord(ipam) || ipam['type'] !== 'static')
    fail(`${at}.ipam.type`, 'only static IPAM is realised (addresses come from the annotation)');
  return { name, master, vlanId };
}

const IPV6_CIDR = /^[0-9a-fA-F:]+\/(\d{1,3})$/;

/** Joins a selection with its NAD's vlan config; checks what the kernel would otherwise refuse late. */
export function zoneInterfaceSpec(
  where: { member: string; namespace: string; pod: string; index: number },
  selection: NetworkSelection,
  vlan: VlanConfig,
): ZoneInterfaceSpec {
  const field = `${where.member}/${where.namespace}/${where.pod}: networks[${where.index}]`;
  if (selection.mac === undefined) fail(`${field}.mac`, 'missing (the switch forwards by the instance MAC)');
  if (selection.ips.length === 0) fail(`${field}.ips`, 'empty (static IPAM needs an address)');
  for (const [i, c] of selection.ips.entries()) {
    const m = IPV6_CIDR.exec(c);
    if (!m || Number(m[1]) > 128) fail(`${field}.ips[${i}]`, `"${c}" is not an IPv6 address with a prefix length`);
  }
  return {
    key: `${where.member}/${where.namespace}/${where.pod}#${where.index}`,
    provider: where.member,
    namespace: where.namespace,
    pod: where.pod,
    attachment: `${selection.namespace ?? where.namespace}/${selection.name}`,
    master: vlan.master,
    vlanId: vlan.vlanId,
    interfaceName: selection.interface ?? `net${where.index + 1}`,
    mac: selection.mac,
    cidrs: selection.ips,
  };
}

/** True when realising `b` in place of `a` needs nothing rebuilt. */
export function sameInterface(a: ZoneInterfaceSpec, b: ZoneInterfaceSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The parts of a KubeVirt VMI spec that carry a zone interface. */
export interface VmiNetworkSpec {
  domain?: { devices?: { interfaces?: { name?: string; macAddress?: string; bridge?: unknown }[] } };
  networks?: { name?: string; multus?: { networkName?: string } }[];
  volumes?: { name?: string; cloudInitNoCloud?: { networkData?: string } }[];
}

interface NetworkDataV2 {
  ethernets?: Record<string, { match?: { macaddress?: string }; 'set-name'?: string; addresses?: unknown }>;
}

/**
 * A VMI's Multus bridge interfaces as network selections: the MAC from the
 * interface, the NAD from its network, the addresses and the guest's
 * interface name from the cloud-init network data (v2) entry matching that
 * MAC. `parseYaml` is injected so this file stays free of I/O and libraries.
 */
export function vmiSelections(
  spec: VmiNetworkSpec,
  field: string,
  parseYaml: (s: string) => unknown,
): NetworkSelection[] {
  const data: NetworkDataV2[] = [];
  for (const [i, v] of (spec.volumes ?? []).entries()) {
    const text = v.cloudInitNoCloud?.networkData;
    if (text === undefined) continue;
    const parsed = parseYaml(text);
    if (!isRecord(parsed)) fail(`${field}.volumes[${i}].cloudInitNoCloud.networkData`, 'not a YAML mapping');
    data.push(parsed);
  }
  const out: NetworkSelection[] = [];
  for (const [i, itf] of (spec.domain?.devices?.interfaces ?? []).entries()) {
    const net = (spec.networks ?? []).find((n) => n.name === itf.name);
    const multus = net?.multus?.networkName;
    if (multus === undefined || itf.bridge === undefined) continue;
    const at = `${field}.domain.devices.interfaces[${i}]`;
    const mac = itf.macAddress?.toLowerCase();
    if (mac === undefined || !MAC.test(mac))
      fail(`${at}.macAddress`, `"${String(itf.macAddress)}" is not a MAC address`);
    const [ns, name] = multus.includes('/') ? multus.split('/', 2) : [undefined, multus];
    const eth = data
      .flatMap((d) => Object.entries(d.ethernets ?? {}))
      .find(([, e]) => e.match?.macaddress?.toLowerCase() === mac);
    if (!eth) fail(`${at}`, `no cloud-init network data entry matches MAC ${mac}`);
    const [key, entry] = eth;
    const ips = entry.addresses;
    if (!Array.isArray(ips) || ips.some((x) => typeof x !== 'string'))
      fail(`${field} cloud-init ethernets.${key}.addresses`, 'not a list of strings');
    out.push({
      name: name ?? multus,
      ...(ns !== undefined ? { namespace: ns } : {}),
      interface: entry['set-name'] ?? key,
      ips: ips as string[],
      mac,
    });
  }
  return out;
}
