// A network namespace of the test's own, with veth pairs sN <-> hN for BMv2
// data ports: BMv2 takes sN as port N, the packet helper sends and receives
// on hN. Nothing is created outside the namespace; `remove` deletes it and
// everything in it. Needs root (CAP_NET_ADMIN) and iproute2.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Why namespaces cannot be made here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `iproute2 'ip netns' does not run: ${r.error?.message ?? r.stderr}`;
  return undefined;
}

export class TestNetns {
  private constructor(readonly name: string) {}

  static create(ports: number[]): TestNetns {
    const ns = new TestNetns(`zk-p4-${randomBytes(4).toString('hex')}`);
    ip(['netns', 'add', ns.name]);
    try {
      ip(['-n', ns.name, 'link', 'set', 'lo', 'up']);
      // No IPv6 on the links: the kernel would send router and neighbour
      // solicitations into the switch.
      execFileSync('ip', [
        'netns',
        'exec',
        ns.name,
        'sysctl',
        '-q',
        '-w',
        'net.ipv6.conf.all.disable_ipv6=1',
        'net.ipv6.conf.default.disable_ipv6=1',
      ]);
      for (const p of ports) {
        ip(['-n', ns.name, 'link', 'add', `s${p}`, 'type', 'veth', 'peer', 'name', `h${p}`]);
        for (const end of [`s${p}`, `h${p}`]) ip(['-n', ns.name, 'link', 'set', end, 'up']);
      }
    } catch (e) {
      ns.remove();
      throw e;
    }
    return ns;
  }

  remove(): void {
    spawnSync('ip', ['netns', 'delete', this.name]);
  }
}
