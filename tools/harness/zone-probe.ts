// Real packets between the packet stand-in's namespaces, for the end-to-end
// zone network tests: iputils ping, UDP through the kernel's stack with the
// Traffic Class the receiver saw, hand-made tagged frames, and a capture on
// the router's trunk. The probes run in the namespaces (ip netns exec), the
// Python side is tools/harness/zone-probe.py.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../testbed/paths.js';

const SCRIPT = (): string => join(repoRoot(), 'tools', 'harness', 'zone-probe.py');

/** Why the probes cannot run here, or undefined. */
export function probesUnavailable(): string | undefined {
  for (const [cmd, pkg] of [
    ['ping', 'iputils-ping'],
    ['ethtool', 'ethtool'],
    ['python3', 'python3'],
  ] as const) {
    const r = spawnSync(cmd, ['-V'], { encoding: 'utf8' });
    if (r.error) return `no ${cmd} (Debian package ${pkg}; scripts/install-deps.sh installs it)`;
  }
  return undefined;
}

/** `ping -6` from a namespace: true when an echo reply came back within the deadline. */
export function ping(netns: string, address: string, opts: { count?: number; deadlineS?: number } = {}): boolean {
  const r = spawnSync(
    'ip',
    [
      'netns',
      'exec',
      netns,
      'ping',
      '-6',
      '-n',
      '-c',
      String(opts.count ?? 2),
      '-w',
      String(opts.deadlineS ?? 4),
      address,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return r.status === 0;
}

export interface Received {
  from: string;
  payload: string;
  /** The IPv6 Traffic Class byte the datagram arrived with. */
  tclass: number;
}

/** Starts `zone-probe.py cmd ...` in a namespace; resolves with its JSON line once it ends. */
function listener(netns: string, args: string[]): { ready: Promise<void>; sent: () => void; result: Promise<unknown> } {
  const child = spawn('ip', ['netns', 'exec', netns, 'python3', SCRIPT(), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let signalReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) signalReady();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const result = new Promise<unknown>((resolve, reject) => {
    child.once('close', (code) => {
      signalReady();
      if (code !== 0) return reject(new Error(`zone-probe ${args[0]} in ${netns}: exit ${code}: ${err}`));
      resolve(JSON.parse(out.slice('ready\n'.length)));
    });
  });
  // Its waiting time starts now: starting the sender can take seconds on a busy machine.
  // (It may have ended already: a datagram that came at once ends a udp-recv.)
  child.stdin.on('error', () => undefined);
  const sent = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.stdin.write('sent\n');
  };
  return { ready, sent, result };
}

function probe(netns: string, args: string[]): void {
  const r = spawnSync('ip', ['netns', 'exec', netns, 'python3', SCRIPT(), ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`zone-probe ${args[0]} in ${netns}: ${r.stderr || r.error?.message}`);
}

/** Listens on UDP `port` in `to` while `send` runs; the datagram received, or undefined after waitMs. */
export async function udpWhile(
  to: string,
  port: number,
  send: () => void | Promise<unknown>,
  waitMs = 2000,
): Promise<Received | undefined> {
  const l = listener(to, ['udp-recv', String(port), String(waitMs)]);
  await l.ready;
  await send();
  l.sent();
  const got = (await l.result) as Received | { timeout: true };
  return 'timeout' in got ? undefined : got;
}

/** One datagram from `from` to `address`:`port` through the kernel, as `to` receives it. */
export function udp(
  from: string,
  to: string,
  address: string,
  port: number,
  payload: string,
): Promise<Received | undefined> {
  return udpWhile(to, port, () => probe(from, ['udp-send', address, String(port), payload]));
}

export interface RawUdp {
  iface: string;
  vlan: number;
  srcMac: string;
  dstMac: string;
  src: string;
  dst: string;
  port: number;
  payload: string;
}

/** Writes one tagged IPv6/UDP frame on an interface of `netns`, bypassing the VLAN sub-interface. */
export function sendRawUdp(netns: string, f: RawUdp): void {
  probe(netns, ['raw-udp', f.iface, String(f.vlan), f.srcMac, f.dstMac, f.src, f.dst, String(f.port), f.payload]);
}

/** Frames (hex) containing `tag` seen on `iface` in `netns` while `send` runs. */
export async function captureWhile(
  netns: string,
  iface: string,
  tag: string,
  send: () => void | Promise<unknown>,
  waitMs = 1500,
): Promise<string[]> {
  const l = listener(netns, ['capture', iface, String(waitMs), tag]);
  await l.ready;
  await send();
  l.sent();
  return (await l.result) as string[];
}

/**
 * The kernel's neighbour entry for an address on a device: the MAC and the
 * NUD state (`REACHABLE`, `STALE`, ...; `PERMANENT` only if set by hand).
 * Zone instances learn each other by neighbour discovery through the
 * switch, which sends a solicitation to the target's port.
 */
export function neighbourEntry(
  netns: string,
  dev: string,
  address: string,
): { mac: string; state: string } | undefined {
  const r = spawnSync('ip', ['-n', netns, '-6', 'neigh', 'show', 'to', address, 'dev', dev], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip -n ${netns} neigh show ${address}: ${r.stderr}`);
  const m = /lladdr ([0-9a-f:]{17})(?: router)? ([A-Z_]+)/.exec(r.stdout);
  return m ? { mac: m[1] ?? '', state: m[2] ?? '' } : undefined;
}
