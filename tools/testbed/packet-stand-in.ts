// A stand-in for the node side of the zone network (Multus with the vlan
// and tuning CNI plugins on each member node), so that the test bed moves
// real packets between instances. KWOK's pods and the VMI stand-in's VMIs
// run nowhere; this loop gives each running instance that asks for a zone
// interface a network namespace of its own, built from the very objects the
// member API server holds: the pod's k8s.v1.cni.cncf.io/networks annotation
// (or the VMI's interface, network and cloud-init network data) and the
// NetworkAttachmentDefinition it names. Each provider's uplink reaches the
// switch port the SwitchPortMap gives it; the trunk reaches the router's
// namespace (tools/testbed/packet-fabric.ts draws the whole picture).
//
// Level-triggered: every second it lists pods and VMIs of every member and
// converges. An instance no longer Running (or deleted) loses its
// namespace. A member whose API server does not answer keeps what it had,
// as nodes keep their pods. On start (also after a crash) every namespace of
// this test bed is removed and the fabric built afresh; SIGTERM removes them.
//
//   node dist/tools/testbed/packet-stand-in.js <state dir> <switch ports JSON>
//
// What it realised is in <state dir>/packets/instances.json, the fabric
// (namespaces, BMv2's interfaces) in <state dir>/packets/fabric.json.

import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { load as parseYaml } from 'js-yaml';
import type { SwitchPortMap } from '../../src/core/network/p4-entries.js';
import {
  buildFabric,
  fabricPrefix,
  type Fabric,
  realiseInstance,
  removeFabric,
  removeInstance,
  type ZoneDevice,
} from './packet-fabric.js';
import { readState, type ClusterRecord } from './state.js';
import {
  type NetworkSelection,
  parseNetworksAnnotation,
  parseVlanConfig,
  sameInterface,
  type VmiNetworkSpec,
  vmiSelections,
  zoneInterfaceSpec,
  type ZoneInterfaceSpec,
} from './zone-interface-spec.js';

export const NETWORKS_ANNOTATION = 'k8s.v1.cni.cncf.io/networks';

export interface RealisedInstance extends ZoneInterfaceSpec {
  netns: string;
  device: ZoneDevice;
}

export interface PacketReport {
  instances: RealisedInstance[];
  /** Instances that asked for a zone interface and could not get one, with why. */
  problems: { key: string; message: string }[];
}

export const packetsDir = (stateDir: string): string => join(stateDir, 'packets');

function writeJson(file: string, value: unknown): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 2));
  renameSync(`${file}.tmp`, file);
}

interface Candidate {
  where: { member: string; namespace: string; pod: string };
  selections: () => NetworkSelection[];
}

class Member {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(readonly rec: ClusterRecord) {
    const kc = new KubeConfig();
    kc.loadFromFile(rec.kubeconfig);
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  private async candidates(): Promise<Candidate[]> {
    const out: Candidate[] = [];
    for (const pod of (await this.core.listPodForAllNamespaces()).items) {
      const value = pod.metadata?.annotations?.[NETWORKS_ANNOTATION];
      if (value === undefined || pod.status?.phase !== 'Running' || pod.metadata?.deletionTimestamp) continue;
      const where = { member: this.rec.name, namespace: pod.metadata?.namespace ?? '', pod: pod.metadata?.name ?? '' };
      const field = `${where.member}/${where.namespace}/${where.pod}: annotation ${NETWORKS_ANNOTATION}`;
      out.push({ where, selections: () => parseNetworksAnnotation(value, field) });
    }
    if (this.rec.provider?.environment === 'VM') {
      const vmis = (await this.custom.listClusterCustomObject({
        group: 'kubevirt.io',
        version: 'v1',
        plural: 'virtualmachineinstances',
      })) as {
        items: {
          metadata: { name: string; namespace: string; deletionTimestamp?: string };
          spec: VmiNetworkSpec;
          status?: { phase?: string };
        }[];
      };
      for (const vmi of vmis.items) {
        if (vmi.status?.phase !== 'Running' || vmi.metadata.deletionTimestamp) continue;
        const where = { member: this.rec.name, namespace: vmi.metadata.namespace, pod: vmi.metadata.name };
        out.push({
          where,
          selections: () =>
            vmiSelections(vmi.spec, `${where.member}/${where.namespace}/vmi ${where.pod}: spec`, parseYaml),
        });
      }
    }
    return out;
  }

  private async vlanConfig(namespace: string, name: string) {
    const nad = (await this.custom.getNamespacedCustomObject({
      group: 'k8s.cni.cncf.io',
      version: 'v1',
      plural: 'network-attachment-definitions',
      namespace,
      name,
    })) as { spec?: { config?: string } };
    return parseVlanConfig(
      nad.spec?.config ?? '',
      `${this.rec.name}/${namespace}/${name}: NetworkAttachmentDefinition spec.config`,
    );
  }

  /** Every zone interface this member's running instances ask for, and those that cannot be built. */
  async desired(): Promise<{ specs: ZoneInterfaceSpec[]; problems: PacketReport['problems'] }> {
    const specs: ZoneInterfaceSpec[] = [];
    const problems: PacketReport['problems'] = [];
    for (const c of await this.candidates()) {
      const key = `${c.where.member}/${c.where.namespace}/${c.where.pod}`;
      try {
        for (const [index, sel] of c.selections().entries()) {
          const ns = sel.namespace ?? c.where.namespace;
          let vlan;
          try {
            vlan = await this.vlanConfig(ns, sel.name);
          } catch (e) {
            if (e instanceof ApiException && e.code === 404)
              throw new Error(`NetworkAttachmentDefinition ${ns}/${sel.name} not found`, { cause: e });
            throw e;
          }
          specs.push(zoneInterfaceSpec({ ...c.where, index }, sel, vlan));
        }
      } catch (e) {
        problems.push({ key, message: e instanceof Error ? e.message : String(e) });
      }
    }
    return { specs, problems };
  }
}

class StandIn {
  private readonly realised = new Map<string, RealisedInstance>();
  private readonly failed = new Map<string, string>();
  /** Last answer of each member; a member that does not answer keeps it. */
  private readonly lastDesired = new Map<string, ZoneInterfaceSpec[]>();
  private readonly lastProblems = new Map<string, PacketReport['problems']>();
  private readonly lastError = new Map<string, string>();

  constructor(
    private readonly fabric: Fabric,
    private readonly members: Member[],
    private readonly dir: string,
  ) {}

  async step(): Promise<void> {
    await Promise.all(
      this.members.map(async (m) => {
        try {
          const { specs, problems } = await m.desired();
          this.lastDesired.set(m.rec.name, specs);
          this.lastProblems.set(m.rec.name, problems);
          this.lastError.delete(m.rec.name);
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          if (this.lastError.get(m.rec.name) !== msg) console.log(`packet-stand-in: ${m.rec.name}: ${msg}`);
          this.lastError.set(m.rec.name, msg);
        }
      }),
    );
    const want = new Map([...this.lastDesired.values()].flat().map((s) => [s.key, s]));
    for (const [key, have] of this.realised) {
      const w = want.get(key);
      if (w && sameInterface(w, stripNetns(have))) continue;
      await removeInstance(have.netns);
      this.realised.delete(key);
      console.log(`packet-stand-in: removed ${key} (${have.netns})`);
    }
    const problems = [...this.lastProblems.values()].flat();
    const missing = [...want].filter(([key]) => !this.realised.has(key));
    // A few at a time: each is a dozen ip/sysctl runs, seconds on a busy machine.
    await pool(missing, 4, async ([key, spec]) => {
      try {
        const { netns, device } = await realiseInstance(this.fabric, spec);
        this.realised.set(key, { ...spec, netns, device });
        this.failed.delete(key);
        console.log(`packet-stand-in: ${key} -> ${netns}: VLAN ${spec.vlanId} ${spec.mac} ${spec.cidrs.join(' ')}`);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        problems.push({ key, message });
        if (this.failed.get(key) !== message) console.log(`packet-stand-in: ${key}: ${message}`);
        this.failed.set(key, message);
      }
    });
    const report: PacketReport = {
      instances: [...this.realised.values()].sort((a, b) => a.key.localeCompare(b.key)),
      problems: problems.sort((a, b) => a.key.localeCompare(b.key)),
    };
    writeJson(join(packetsDir(this.dir), 'instances.json'), report);
  }
}

async function pool<T>(items: readonly T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

function stripNetns(r: RealisedInstance): ZoneInterfaceSpec {
  const { netns: _netns, device: _device, ...spec } = r;
  return spec;
}

async function main(): Promise<void> {
  const [dir, portsFile] = process.argv.slice(2);
  if (!dir || !portsFile) throw new Error('usage: packet-stand-in <state dir> <switch ports JSON>');
  if (process.getuid?.() !== 0) throw new Error('packet-stand-in needs root (it makes network namespaces)');
  const state = readState(dir);
  if (!state) throw new Error(`no test bed state in ${dir}`);
  const ports = JSON.parse(readFileSync(portsFile, 'utf8')) as SwitchPortMap;
  const prefix = fabricPrefix(state.dir);
  // What an earlier run reported is no longer true: readers wait for new files.
  rmSync(packetsDir(state.dir), { recursive: true, force: true });
  const fabric = await buildFabric(prefix, ports);
  mkdirSync(packetsDir(state.dir), { recursive: true });
  writeJson(join(packetsDir(state.dir), 'fabric.json'), fabric);
  const members = state.clusters.filter((c) => c.role === 'member').map((c) => new Member(c));
  const standIn = new StandIn(fabric, members, state.dir);
  console.log(`packet-stand-in: fabric ${prefix} ready; serving ${members.map((m) => m.rec.name).join(', ')}`);
  let stopping = false;
  process.on('SIGTERM', () => (stopping = true));
  process.on('SIGINT', () => (stopping = true));
  while (!stopping) {
    try {
      await standIn.step();
    } catch (e) {
      console.log(`packet-stand-in: ${e instanceof Error ? e.message : String(e)}`);
    }
    for (let i = 0; i < 10 && !stopping; i++) await new Promise((r) => setTimeout(r, 100));
  }
  const removed = await removeFabric(prefix);
  console.log(`packet-stand-in: stopped; removed ${removed.length} namespaces`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
