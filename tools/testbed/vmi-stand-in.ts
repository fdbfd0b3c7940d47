// A stand-in for the part of KubeVirt's virt-controller that turns a
// running VirtualMachine into a VirtualMachineInstance. KWOK stages can
// only patch the object they watch, not create another, so the test bed
// runs this small loop. It lives in the test bed only; the operator never
// ships it.
//
// Level-triggered: every second it lists VMs and VMIs of each VM member and
// converges: a VM that should run has a VMI (owned by it, so the garbage
// collector removes it with the VM) that is Running on a node with an IP;
// a VM that should not run has none.
//
// It also plays the guest ending: a test sets the exit-code annotation
// (kwok-stages.ts EXIT_CODE_ANNOTATION) on a VM, and its running VMI ends
// Succeeded (code 0) or Failed, as virt-handler would report a guest that
// shut down. What follows is the run strategy's: Once keeps it ended,
// RerunOnFailure only a success, and the VM then shows Stopped; an ended
// VMI KubeVirt would start again is deleted and made anew.
//
//   node dist/tools/testbed/vmi-stand-in.js <state dir>

import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { EXIT_CODE_ANNOTATION } from './kwok-stages.js';
import { readState, type ClusterRecord } from './state.js';

const GROUP = 'kubevirt.io';
const VERSION = 'v1';
const RUNNING = new Set(['Always', 'RerunOnFailure', 'Once']);
const ENDED = new Set(['Succeeded', 'Failed']);

interface Meta {
  name: string;
  namespace: string;
  uid: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { uid: string }[];
}

interface VirtualMachine {
  metadata: Meta;
  status?: { printableStatus?: string };
  spec: {
    runStrategy?: string;
    running?: boolean;
    template?: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec?: { nodeSelector?: Record<string, string> } & Record<string, unknown>;
    };
  };
}

interface VirtualMachineInstance {
  metadata: Meta;
  spec: { nodeSelector?: Record<string, string> } & Record<string, unknown>;
  status?: { phase?: string; nodeName?: string; interfaces?: { ipAddress?: string }[] };
}

interface NodeInfo {
  name: string;
  labels: Record<string, string>;
}

const strategyOf = (vm: VirtualMachine): string =>
  vm.spec.runStrategy ?? (vm.spec.running === true ? 'Always' : 'Halted');

export function shouldRun(vm: VirtualMachine): boolean {
  return RUNNING.has(strategyOf(vm)) && !vm.metadata.deletionTimestamp;
}

/** Whether KubeVirt leaves a VMI that ended in `phase` as it is (else it starts the VM again). */
export function staysEnded(runStrategy: string, phase: string): boolean {
  return runStrategy === 'Once' || (runStrategy === 'RerunOnFailure' && phase === 'Succeeded');
}

/** The phase the test's exit code ends a running VMI in, when the run strategy lets the guest end for good. */
export function exitPhase(vm: VirtualMachine): 'Succeeded' | 'Failed' | undefined {
  const code = vm.metadata.annotations?.[EXIT_CODE_ANNOTATION];
  if (code === undefined) return undefined;
  const phase = code === '0' ? 'Succeeded' : 'Failed';
  // As the pod stages: a guest KubeVirt would start again is not played.
  return staysEnded(strategyOf(vm), phase) ? phase : undefined;
}

class Member {
  private readonly api: CustomObjectsApi;
  private readonly core: KubeConfig;
  /** Addresses in use by VMIs, so an IP is never given twice. */
  private readonly used = new Set<string>();
  private nodes: NodeInfo[] = [];

  constructor(readonly rec: ClusterRecord) {
    this.core = new KubeConfig();
    this.core.loadFromFile(rec.kubeconfig);
    this.api = this.core.makeApiClient(CustomObjectsApi);
  }

  async refreshNodes(): Promise<void> {
    const list = await this.core.makeApiClient(CoreV1Api).listNode();
    this.nodes = list.items.map((n) => ({ name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {} }));
  }

  private list<T>(plural: string): Promise<{ items: T[] }> {
    return this.api.listClusterCustomObject({ group: GROUP, version: VERSION, plural }) as Promise<{ items: T[] }>;
  }

  /** An address from the member's range, in a block apart from KWOK's pod IPs. */
  private allocateIp(): string {
    const [a, b] = (this.rec.podCidr ?? '10.127.0.0/16').split('.');
    for (let third = 200; third < 255; third++) {
      for (let fourth = 1; fourth < 255; fourth++) {
        const ip = `${a}.${b}.${third}.${fourth}`;
        if (!this.used.has(ip)) {
          this.used.add(ip);
          return ip;
        }
      }
    }
    throw new Error(`${this.rec.name}: no VMI addresses left`);
  }

  private pickNode(selector: Record<string, string> | undefined, name: string): string | undefined {
    const fits = this.nodes.filter((n) => Object.entries(selector ?? {}).every(([k, v]) => n.labels[k] === v));
    if (fits.length === 0) return undefined;
    // Stable spread: the same VM lands on the same node after a restart.
    let h = 0;
    for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return fits[h % fits.length]?.name;
  }

  async reconcile(): Promise<void> {
    if (this.nodes.length === 0) await this.refreshNodes();
    const vms = (await this.list<VirtualMachine>('virtualmachines')).items;
    const vmis = (await this.list<VirtualMachineInstance>('virtualmachineinstances')).items;
    this.used.clear();
    for (const vmi of vmis) for (const i of vmi.status?.interfaces ?? []) if (i.ipAddress) this.used.add(i.ipAddress);
    const key = (m: Meta): string => `${m.namespace}/${m.name}`;
    const vmiByKey = new Map(vmis.map((v) => [key(v.metadata), v]));
    for (const vm of vms) {
      const vmi = vmiByKey.get(key(vm.metadata));
      if (shouldRun(vm)) {
        const phase = vmi?.status?.phase ?? '';
        if (!vmi) await this.createVmiUnlessTerminating(vm);
        else if (vmi.metadata.deletionTimestamp) continue;
        else if (ENDED.has(phase) && staysEnded(strategyOf(vm), phase)) await this.showStopped(vm);
        else if (ENDED.has(phase)) await this.deleteVmi(vmi);
        else if (phase === 'Running' && exitPhase(vm)) await this.endVmi(vmi, exitPhase(vm) ?? 'Failed');
        else if (phase !== 'Running') await this.runVmi(vmi);
      } else if (vmi && !vmi.metadata.deletionTimestamp) {
        await this.deleteVmi(vmi);
      }
    }
  }

  private async deleteVmi(vmi: VirtualMachineInstance): Promise<void> {
    await this.api.deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: 'virtualmachineinstances',
      namespace: vmi.metadata.namespace,
      name: vmi.metadata.name,
    });
  }

  /** The guest shut down: the VMI's final phase, as virt-handler reports it. */
  private async endVmi(vmi: VirtualMachineInstance, phase: 'Succeeded' | 'Failed'): Promise<void> {
    const now = new Date().toISOString();
    await this.patchStatus('virtualmachineinstances', vmi.metadata, {
      phase,
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'GuestShutdown',
          message: '',
          lastProbeTime: null,
          lastTransitionTime: now,
        },
      ],
    });
  }

  /** An ended VMI that stays ended: the VM is Stopped (KubeVirt's printableStatus), and not ready. */
  private async showStopped(vm: VirtualMachine): Promise<void> {
    if (vm.status?.printableStatus === 'Stopped') return;
    const now = new Date().toISOString();
    await this.patchStatus('virtualmachines', vm.metadata, {
      printableStatus: 'Stopped',
      ready: false,
      created: true,
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'Stopped',
          message: '',
          lastProbeTime: null,
          lastTransitionTime: now,
        },
      ],
    });
  }

  private async patchStatus(plural: string, meta: Meta, status: Record<string, unknown>): Promise<void> {
    await this.api.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, plural, namespace: meta.namespace, name: meta.name, body: { status } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  /** A VM in a namespace being deleted gets no instance (KubeVirt's would be refused too). */
  private async createVmiUnlessTerminating(vm: VirtualMachine): Promise<void> {
    try {
      await this.createVmi(vm);
    } catch (err) {
      if (err instanceof ApiException && err.code === 403 && String(err.body).includes('being terminated')) return;
      throw err;
    }
  }

  private async createVmi(vm: VirtualMachine): Promise<void> {
    const body = {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'VirtualMachineInstance',
      metadata: {
        name: vm.metadata.name,
        namespace: vm.metadata.namespace,
        labels: { ...(vm.spec.template?.metadata?.labels ?? {}), 'kubevirt.io/vm': vm.metadata.name },
        annotations: vm.spec.template?.metadata?.annotations ?? {},
        ownerReferences: [
          {
            apiVersion: `${GROUP}/${VERSION}`,
            kind: 'VirtualMachine',
            name: vm.metadata.name,
            uid: vm.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: vm.spec.template?.spec ?? { domain: {} },
    };
    const created = (await this.api.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: 'virtualmachineinstances',
      namespace: vm.metadata.namespace,
      body,
    })) as VirtualMachineInstance;
    await this.runVmi(created);
  }

  private async runVmi(vmi: VirtualMachineInstance): Promise<void> {
    const node = this.pickNode(vmi.spec.nodeSelector, vmi.metadata.name);
    const phase = node ? 'Running' : 'Scheduling';
    if (phase === vmi.status?.phase) return;
    const now = new Date().toISOString();
    let status: Record<string, unknown>;
    if (node) {
      const ip = this.allocateIp();
      status = {
        phase,
        nodeName: node,
        interfaces: [{ name: 'default', ipAddress: ip, ipAddresses: [ip], infoSource: 'domain, guest-agent' }],
        conditions: [
          { type: 'Ready', status: 'True', reason: '', message: '', lastProbeTime: null, lastTransitionTime: now },
        ],
      };
    } else {
      // As KubeVirt: no node fits the selector, so the VMI waits unscheduled.
      status = {
        phase,
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'Unschedulable',
            message: 'no node matches the nodeSelector',
            lastProbeTime: null,
            lastTransitionTime: now,
          },
        ],
      };
    }
    await this.api.patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        plural: 'virtualmachineinstances',
        namespace: vmi.metadata.namespace,
        name: vmi.metadata.name,
        body: { status },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: vmi-stand-in <state dir>');
  const state = readState(dir);
  if (!state) throw new Error(`no test bed state in ${dir}`);
  const members = state.clusters.filter((c) => c.provider?.environment === 'VM').map((c) => new Member(c));
  console.log(`vmi-stand-in: serving ${members.map((m) => m.rec.name).join(', ')}`);
  let stopping = false;
  process.on('SIGTERM', () => (stopping = true));
  process.on('SIGINT', () => (stopping = true));
  const lastError = new Map<string, string>();
  while (!stopping) {
    await Promise.all(
      members.map(async (m) => {
        try {
          await m.reconcile();
          lastError.delete(m.rec.id);
        } catch (err) {
          // A stopped member API server is a normal state in tests: log once per change.
          const msg = err instanceof Error ? err.message : String(err);
          if (lastError.get(m.rec.id) !== msg) console.log(`vmi-stand-in: ${m.rec.name}: ${msg}`);
          lastError.set(m.rec.id, msg);
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.log('vmi-stand-in: stopped');
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
