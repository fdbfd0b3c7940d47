// The network namespaces of the packet stand-in (tools/testbed/packet-stand-in.ts):
//
//   <p>-switch            BMv2's ports: p<N> for each port of the SwitchPortMap
//   <p>-router            trunk: the far end of the trunk port (the router's side)
//   <p>-prov-<provider>   the provider's node side: a bridge named after the
//                         NAD's `master` (the uplink), with `switch` (the far
//                         end of the provider's switch port) and one veth per
//                         instance on it
//   <p>-inst-<hash>       one instance: veth0 (its far end on the uplink
//                         bridge) and the zone interface, a VLAN
//                         sub-interface of veth0 with the instance's MAC and
//                         addresses, as the vlan and tuning CNI plugins make it
//
// A kernel without VLAN devices (no 8021q module, as on the project's own
// machines) gets the same interface in user space: a TAP device with the
// MAC and addresses, and tools/testbed/vlan-tagger.py tagging what it sends
// and untagging what arrives for its VLAN on veth0.
//
// <p> is `zk` and six hex digits of a hash of the test bed's folder, so two
// test beds on one machine never share a name. Interface names stay within
// Linux's 15 characters. Every namespace is the test bed's own; nothing is
// added to the host's namespace. Needs root and iproute2 (and ethtool).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SwitchPortMap } from '../../src/core/network/p4-entries.js';
import { repoRoot } from './paths.js';
import type { ZoneInterfaceSpec } from './zone-interface-spec.js';

const run = promisify(execFile);

export interface Fabric {
  prefix: string;
  switchNetns: string;
  /** switch port -> interface in switchNetns (BMv2's `-i N@p<N>`) */
  switchInterfaces: Record<number, string>;
  routerNetns: string;
  trunkPort: number;
  trunkInterface: string;
  /** provider -> its namespace and switch port */
  providers: Record<string, { netns: string; port: number }>;
}

export function fabricPrefix(stateDir: string): string {
  return `zk${createHash('sha256').update(stateDir).digest('hex').slice(0, 6)}`;
}

export const instanceNetns = (prefix: string, key: string): string =>
  `${prefix}-inst-${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;

/** The instance's veth end on the provider's bridge (unique within the provider's namespace). */
const bridgePortName = (key: string): string => `v${createHash('sha256').update(key).digest('hex').slice(0, 10)}`;

const providerNetns = (prefix: string, provider: string): string =>
  `${prefix}-prov-${provider.toLowerCase().replace(/[^a-z0-9]/g, '')}`;

async function ip(args: string[]): Promise<string> {
  try {
    return (await run('ip', args)).stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${(err.stderr ?? err.message).trim()}`, { cause: e });
  }
}

async function inNetns(netns: string, cmd: string, args: string[]): Promise<void> {
  try {
    await run('ip', ['netns', 'exec', netns, cmd, ...args]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`(in ${netns}) ${cmd} ${args.join(' ')}: ${(err.stderr ?? err.message).trim()}`, {
      cause: e,
    });
  }
}

/** No IPv6 at all in a namespace: bridges and switch ports would send solicitations into the switch. */
const noIpv6 = (netns: string): Promise<void> =>
  inNetns(netns, 'sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);

/**
 * The kernel leaves UDP/TCP checksums to the NIC on a veth; BMv2 reads the
 * frame before anything fills them in and sends it on as it is, so the
 * receiver would drop it. Instances checksum in software, as a host behind
 * a real switch does.
 */
const softwareChecksums = (netns: string, dev: string): Promise<void> =>
  inNetns(netns, 'ethtool', ['-K', dev, 'tx', 'off', 'rx', 'off']);

export async function listNetns(): Promise<string[]> {
  const out = await ip(['netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n !== '');
}

/** Deletes every namespace of this test bed (its links go with them). */
export async function removeFabric(prefix: string): Promise<string[]> {
  for (const n of [...taggers.keys()]) if (n.startsWith(`${prefix}-`)) await stopTagger(n);
  for (const k of [...uplinks.keys()]) if (k.startsWith(`${prefix}-`)) uplinks.delete(k);
  const ours = (await listNetns()).filter((n) => n.startsWith(`${prefix}-`));
  for (const n of ours) await ip(['netns', 'delete', n]).catch(() => undefined);
  return ours;
}

/** Builds the switch, router and provider namespaces afresh (what a crashed run left is removed first). */
export async function buildFabric(prefix: string, ports: SwitchPortMap): Promise<Fabric> {
  await removeFabric(prefix);
  const fabric: Fabric = {
    prefix,
    switchNetns: `${prefix}-switch`,
    switchInterfaces: {},
    routerNetns: `${prefix}-router`,
    trunkPort: ports.trunkPort,
    trunkInterface: 'trunk',
    providers: {},
  };
  const add = async (netns: string): Promise<void> => {
    await ip(['netns', 'add', netns]);
    await ip(['-n', netns, 'link', 'set', 'lo', 'up']);
    await noIpv6(netns);
  };
  await add(fabric.switchNetns);
  await add(fabric.routerNetns);
  const link = async (port: number, farNetns: string, farName: string): Promise<void> => {
    const name = `p${port}`;
    await ip([
      '-n',
      fabric.switchNetns,
      'link',
      'add',
      name,
      'type',
      'veth',
      'peer',
      'name',
      farName,
      'netns',
      farNetns,
    ]);
    await ip(['-n', fabric.switchNetns, 'link', 'set', name, 'up']);
    await ip(['-n', farNetns, 'link', 'set', farName, 'up']);
    fabric.switchInterfaces[port] = name;
  };
  await link(ports.trunkPort, fabric.routerNetns, fabric.trunkInterface);
  const seen = new Set<number>([ports.trunkPort]);
  for (const [provider, port] of Object.entries(ports.providerPorts).sort(([a], [b]) => a.localeCompare(b))) {
    if (!Number.isInteger(port) || port < 0 || port > 511)
      throw new Error(`providerPorts.${provider}: ${port} is not a BMv2 port (0-511)`);
    if (seen.has(port)) throw new Error(`providerPorts.${provider}: port ${port} is used twice`);
    seen.add(port);
    const netns = providerNetns(prefix, provider);
    await add(netns);
    await link(port, netns, 'switch');
    fabric.providers[provider] = { netns, port };
  }
  return fabric;
}

/** The bridge that stands for the provider's uplink, made on first use; one uplink per provider. */
async function uplinkBridge(netns: string, provider: string, master: string): Promise<void> {
  const bridges = JSON.parse(await ip(['-j', '-n', netns, 'link', 'show', 'type', 'bridge'])) as { ifname: string }[];
  const existing = bridges.map((b) => b.ifname);
  if (existing.includes(master)) return;
  if (existing.length > 0)
    throw new Error(`the NAD names master ${master}, but provider ${provider}'s uplink is ${existing.join(', ')}`);
  await ip(['-n', netns, 'link', 'add', master, 'type', 'bridge', 'mcast_snooping', '0']);
  await ip(['-n', netns, 'link', 'set', 'switch', 'master', master]);
  await ip(['-n', netns, 'link', 'set', master, 'up']);
}

const uplinks = new Map<string, Promise<void>>();

/** Instances are realised a few at a time: the first to need a provider's bridge makes it, the others wait. */
function uplinkOnce(netns: string, provider: string, master: string): Promise<void> {
  const key = `${netns} ${master}`;
  const made = uplinks.get(key) ?? uplinkBridge(netns, provider, master);
  uplinks.set(key, made);
  made.catch(() => uplinks.delete(key));
  return made;
}

/** Realises one instance's zone interface in its own namespace (replacing one of the same key). */
export async function realiseInstance(
  fabric: Fabric,
  spec: ZoneInterfaceSpec,
): Promise<{ netns: string; device: ZoneDevice }> {
  const provider = fabric.providers[spec.provider];
  if (!provider) throw new Error(`provider ${spec.provider} has no switch port in the port map`);
  await uplinkOnce(provider.netns, spec.provider, spec.master);
  const netns = instanceNetns(fabric.prefix, spec.key);
  await removeInstance(netns);
  const port = bridgePortName(spec.key);
  await ip(['netns', 'add', netns]);
  try {
    await ip(['-n', netns, 'link', 'set', 'lo', 'up']);
    // The zone interface gets its addresses at once (no DAD: the
    // allocation makes them unique, and a second of tentative state per
    // interface would only slow the tests; neighbour discovery itself is
    // on) and sends no router solicitations.
    await inNetns(netns, 'sysctl', [
      '-q',
      '-w',
      'net.ipv6.conf.default.accept_ra=0',
      'net.ipv6.conf.default.router_solicitations=0',
      'net.ipv6.conf.default.accept_dad=0',
    ]);
    await ip(['-n', provider.netns, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'veth0', 'netns', netns]);
    await ip(['-n', provider.netns, 'link', 'set', port, 'master', spec.master]);
    await ip(['-n', provider.netns, 'link', 'set', port, 'up']);
    await inNetns(netns, 'sysctl', ['-q', '-w', 'net.ipv6.conf.veth0.disable_ipv6=1']);
    await softwareChecksums(netns, 'veth0');
    await ip(['-n', netns, 'link', 'set', 'veth0', 'up']);
    const dev = spec.interfaceName;
    let device: ZoneDevice = 'vlan';
    try {
      await ip(['-n', netns, 'link', 'add', 'link', 'veth0', 'name', dev, 'type', 'vlan', 'id', String(spec.vlanId)]);
    } catch (e) {
      if (!/Unknown device type|not supported/i.test(String(e))) throw e;
      device = 'tap';
      await ip(['-n', netns, 'tuntap', 'add', 'dev', dev, 'mode', 'tap']);
    }
    await ip(['-n', netns, 'link', 'set', dev, 'address', spec.mac]);
    for (const cidr of spec.cidrs) await ip(['-n', netns, 'addr', 'add', cidr, 'dev', dev, 'nodad']);
    await ip(['-n', netns, 'link', 'set', dev, 'up']);
    if (device === 'tap') await startTagger(netns, dev, spec.vlanId);
    return { netns, device };
  } catch (e) {
    await removeInstance(netns);
    throw e;
  }
}

/** How the zone interface was made: a kernel VLAN device, or a TAP device with the user-space tagger. */
export type ZoneDevice = 'vlan' | 'tap';

const taggers = new Map<string, ChildProcess>();

async function startTagger(netns: string, dev: string, vlanId: number): Promise<void> {
  const script = join(repoRoot(), 'tools', 'testbed', 'vlan-tagger.py');
  const child = spawn('ip', ['netns', 'exec', netns, 'python3', script, dev, 'veth0', String(vlanId)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  taggers.set(netns, child);
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('close', (code) => reject(new Error(`vlan-tagger in ${netns} exited (${code}): ${err.trim()}`)));
  });
  child.removeAllListeners('close');
  child.once('close', (code) => {
    if (taggers.get(netns) === child) console.log(`packet-stand-in: vlan-tagger in ${netns} exited (${code}): ${err}`);
  });
}

async function stopTagger(netns: string): Promise<void> {
  const child = taggers.get(netns);
  if (!child) return;
  taggers.delete(netns);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.kill('SIGTERM');
  await closed;
}

/** Deletes an instance's namespace (and stops its tagger); its veth pair goes with it. No error when it is gone. */
export async function removeInstance(netns: string): Promise<void> {
  await stopTagger(netns);
  if ((await listNetns()).includes(netns)) await ip(['netns', 'delete', netns]);
}
