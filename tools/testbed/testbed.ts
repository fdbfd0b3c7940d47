// The local federation: one etcd, a hub API server and one member API
// server per provider, each member with its controller-manager, scheduler
// and KWOK. `up` is idempotent, `down` stops by PID and removes the state,
// `status` tells running from stopped from crashed.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readlinkSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiextensionsV1Api, CoreV1Api, KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { loadCatalogue, type CatalogueEntry } from './catalogue.js';
import {
  apiServerProcess,
  controllerManagerProcess,
  etcdProcess,
  kwokProcess,
  schedulerProcess,
  type ClusterLayout,
} from './components.js';
import { fakeNodes } from './fake-nodes.js';
import { freePort, probe, waitFor } from './health.js';
import { writeKubeconfig } from './kubeconfig.js';
import { virtualMachineCrd, virtualMachineInstanceCrd } from './kubevirt-crds.js';
import { networkAttachmentDefinitionCrd } from './nad-crd.js';
import { kwokConfigText } from './kwok-stages.js';
import { defaultCatalogue, repoRoot, stateDir } from './paths.js';
import { makeClusterPki, type ClusterPki } from './pki.js';
import { isOurs, proportionalKiB, residentKiB, startProcess, stopProcess } from './processes.js';
import {
  findCluster,
  readState,
  requireState,
  STATE_VERSION,
  writeState,
  type ClusterRecord,
  type ProcessRecord,
  type TestbedState,
} from './state.js';
import { vmiStandInProcess } from './vmi-stand-in-process.js';
import { fabricPrefix, removeFabric } from './packet-fabric.js';
import { packetStandInProcess } from './packet-stand-in-process.js';
import { registerMetricsApi } from './metrics-api.js';
import { metricsStandInProcess } from './metrics-stand-in-process.js';
import {
  findHostTools,
  importImage,
  killContainers,
  NODE_NAME,
  pauseImageArchive,
  realNodeProcesses,
  addNodeLink,
  removeNodeLink,
  realNodeRecord,
  unmountBelow,
  type NodePorts,
} from './real-node.js';

const run = promisify(execFile);

export type Log = (message: string) => void;

export interface UpOptions {
  catalogue?: string;
  dir?: string;
  /** Folder with the binaries; default: what tools/build.sh prints. */
  binDir?: string;
  log?: Log;
  /** API servers starting at the same time (2 cores: 3 is the sweet spot). */
  parallel?: number;
  /** Seconds to wait for one API server to become ready. */
  apiServerTimeoutSeconds?: number;
  /** Give the hub one real node (kubelet + containerd; see real-node.ts). */
  withNode?: boolean;
  /** Image archives (docker or OCI, e.g. from `podman save`) to import into the node's containerd. */
  images?: string[];
}

const envNumber = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

/** Builds (or finds in the cache) the binaries and returns their folder. */
export async function binaries(log: Log): Promise<string> {
  const fromEnv = process.env['ZONEKEEPER_TESTBED_BIN'];
  if (fromEnv) return fromEnv;
  log('checking the test-bed binaries (tools/build.sh) ...');
  const { stdout } = await run('bash', [join(repoRoot(), 'tools', 'build.sh')], {
    maxBuffer: 16 << 20,
    env: process.env,
  });
  const dir = stdout.trim().split('\n').pop();
  if (!dir || !existsSync(join(dir, 'kube-apiserver')))
    throw new Error(`tools/build.sh printed no binary folder (got "${stdout}")`);
  return dir;
}

function marker(state: { dir: string }): string {
  return state.dir;
}

export interface ProcessHealth {
  cluster: string;
  role: ProcessRecord['role'];
  pid: number | null;
  state: 'running' | 'stopped' | 'crashed';
  rssMiB?: number;
  /** Proportional set size: shared pages split among their users. */
  pssMiB?: number;
  log: string;
}

export function processHealth(state: TestbedState): ProcessHealth[] {
  const all: { cluster: string; p: ProcessRecord }[] = [
    { cluster: '-', p: state.etcd.process },
    ...state.clusters.flatMap((c) => c.processes.map((p) => ({ cluster: c.name, p }))),
    ...state.helpers.map((p) => ({ cluster: '-', p })),
  ];
  return all.map(({ cluster, p }) => {
    const alive = isOurs(p.pid, marker(state));
    const rss = alive ? residentKiB(p.pid) : undefined;
    const pss = alive ? proportionalKiB(p.pid) : undefined;
    return {
      cluster,
      role: p.role,
      pid: p.pid,
      state: alive ? 'running' : p.stoppedOnPurpose ? 'stopped' : 'crashed',
      ...(rss !== undefined ? { rssMiB: Math.round(rss / 102.4) / 10 } : {}),
      ...(pss !== undefined ? { pssMiB: Math.round(pss / 102.4) / 10 } : {}),
      log: p.log,
    };
  });
}

/** Brings the test bed up, or returns the one that is already up. */
export async function up(opts: UpOptions = {}): Promise<TestbedState> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const dir = opts.dir ?? stateDir();
  const existing = readState(dir);
  if (existing) {
    const crashed = processHealth(existing).filter((p) => p.state === 'crashed');
    if (crashed.length === 0) {
      log(`test bed already up in ${dir} (${existing.clusters.length} clusters); nothing to do`);
      return existing;
    }
    throw new Error(
      `test bed in ${dir} is up but ${crashed.map((c) => `${c.cluster}/${c.role}`).join(', ')} crashed; see "testbed status", then "testbed repair" (or "down" and "up")`,
    );
  }
  const started = Date.now();
  let nodePorts: NodePorts | undefined;
  if (opts.withNode) findHostTools(); // fail before starting anything
  const catalogueFile = opts.catalogue ?? defaultCatalogue();
  const providers = loadCatalogue(catalogueFile);
  const binDir = opts.binDir ?? (await binaries(log));
  const versions = await binaryVersions(binDir);
  mkdirSync(join(dir, 'logs'), { recursive: true });

  const [etcdClient, etcdPeer] = [await freePort(), await freePort()];
  const etcd = etcdProcess(binDir, dir, etcdClient, etcdPeer);
  const etcdUrl = `http://127.0.0.1:${etcdClient}`;
  const state: TestbedState = {
    version: STATE_VERSION,
    dir,
    startedAt: new Date(started).toISOString(),
    binDir,
    versions,
    catalogue: catalogueFile,
    etcd: { url: etcdUrl, process: etcd },
    clusters: [],
    helpers: [],
  };
  // From here on every started process is in the state file, so a failed
  // `up` can always be cleaned by `down`.
  try {
    etcd.pid = startProcess(etcd);
    writeState(state);
    log(`etcd ${versions['etcd'] ?? ''} started (pid ${etcd.pid}) on ${etcdUrl}`);

    const specs: { name: string; id: string; provider?: CatalogueEntry }[] = [
      { name: 'hub', id: 'hub' },
      ...providers.map((p) => ({ name: p.name, id: p.id, provider: p })),
    ];
    // Certificates while etcd starts: openssl is quick, but 9 × 6 calls add up.
    const layouts = await Promise.all(
      specs.map(async (s, i): Promise<{ spec: (typeof specs)[number]; layout: ClusterLayout; index: number }> => {
        const cdir = join(dir, 'clusters', s.id);
        const pki = await makeClusterPki(join(cdir, 'pki'), s.id);
        return {
          spec: s,
          index: i,
          layout: {
            id: s.id,
            dir: cdir,
            port: await freePort(),
            etcdUrl,
            etcdPrefix: `/zonekeeper-testbed/${s.id}`,
            pki,
          },
        };
      }),
    );
    await waitFor(async () => (await probe(`${etcdUrl}/health`)).body.includes('"health":"true"'), {
      what: 'etcd',
      timeoutMs: 30_000,
      log: etcd.log,
      aborted: () => (isOurs(etcd.pid, dir) ? undefined : 'etcd exited'),
    });

    for (const { spec, layout } of layouts) {
      const rec = clusterRecord(spec, layout, dir);
      if (spec.provider) rec.metricsPort = await freePort();
      state.clusters.push(rec);
    }
    if (opts.withNode) {
      const ports: NodePorts = {
        kubelet: await freePort(),
        kubeletHealthz: await freePort(),
        streaming: await freePort(),
      };
      state.realNode = realNodeRecord(dir, ports);
      nodePorts = ports;
    }
    writeState(state);

    const timeoutMs = (opts.apiServerTimeoutSeconds ?? envNumber('TESTBED_APISERVER_TIMEOUT', 120)) * 1000;
    const parallel = opts.parallel ?? envNumber('TESTBED_PARALLEL', 3);
    await pool(layouts, parallel, async ({ spec, layout, index }) => {
      const rec = findCluster(state, spec.id);
      await startCluster(state, rec, layout, spec.provider, index, binDir, timeoutMs, log);
    });
    startVmiStandIn(state, log);
    startMetricsStandIn(state, log);
    const hubLayout = layouts.find((l) => !l.spec.provider)?.layout;
    const nodeUp =
      state.realNode && nodePorts && hubLayout
        ? startRealNode(state, hubLayout, nodePorts, binDir, opts.images ?? [], log)
        : Promise.resolve();
    await Promise.all([waitMembersReady(state, log), nodeUp, registerMetricsApi(state, log)]);
    state.upSeconds = Math.round((Date.now() - started) / 100) / 10;
    writeState(state);
    log(`test bed up in ${state.upSeconds} s: hub + ${providers.length} members; state in ${dir}`);
    return state;
  } catch (err) {
    log(`test bed failed to come up: ${err instanceof Error ? err.message : String(err)}`);
    log('stopping what was started (logs are kept in ' + join(dir, 'logs') + ' until "down")');
    await stopAll(state);
    throw err;
  }
}

async function binaryVersions(binDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  try {
    const text = await run('cat', [join(binDir, 'versions.json')]);
    Object.assign(out, JSON.parse(text.stdout) as Record<string, string>);
  } catch {
    // A hand-made bin folder (ZONEKEEPER_TESTBED_BIN) need not say.
  }
  return out;
}

function clusterRecord(
  spec: { name: string; id: string; provider?: CatalogueEntry },
  layout: ClusterLayout,
  dir: string,
): ClusterRecord {
  const server = `https://127.0.0.1:${layout.port}`;
  const kubeconfig = join(dir, 'kubeconfigs', `${spec.id}.kubeconfig`);
  const rec: ClusterRecord = {
    name: spec.name,
    id: spec.id,
    role: spec.provider ? 'member' : 'hub',
    server,
    port: layout.port,
    etcdPrefix: layout.etcdPrefix,
    kubeconfig,
    caFile: layout.pki.caCert,
    nodes: [],
    processes: [],
  };
  if (spec.provider) {
    const { name: _n, id: _i, ...facts } = spec.provider;
    rec.provider = facts;
  }
  return rec;
}

function componentKubeconfig(layout: ClusterLayout, server: string, who: keyof ClusterPki['clients']): string {
  const path = join(layout.dir, `${who}.kubeconfig`);
  const pair = layout.pki.clients[who];
  writeKubeconfig(path, {
    contextName: layout.id,
    server,
    caFile: layout.pki.caCert,
    userName: who,
    certFile: pair.cert,
    keyFile: pair.key,
  });
  return path;
}

async function startCluster(
  state: TestbedState,
  rec: ClusterRecord,
  layout: ClusterLayout,
  provider: CatalogueEntry | undefined,
  index: number,
  binDir: string,
  timeoutMs: number,
  log: Log,
): Promise<void> {
  const logDir = join(state.dir, 'logs');
  mkdirSync(join(state.dir, 'kubeconfigs'), { recursive: true });
  writeKubeconfig(rec.kubeconfig, {
    contextName: `testbed-${rec.id}`,
    server: rec.server,
    caFile: layout.pki.caCert,
    userName: `testbed-${rec.id}-admin`,
    certFile: layout.pki.clients.admin.cert,
    keyFile: layout.pki.clients.admin.key,
  });
  // With a real node the hub's API server dials its kubelet (logs, exec)
  // by the node's InternalIP (loopback), as the hub's admin.
  const kubeletFlags =
    !provider && state.realNode
      ? [
          '--kubelet-preferred-address-types=InternalIP',
          `--kubelet-client-certificate=${layout.pki.clients.admin.cert}`,
          `--kubelet-client-key=${layout.pki.clients.admin.key}`,
        ]
      : [];
  const api = apiServerProcess(binDir, layout, logDir, kubeletFlags);
  rec.processes.push(api);
  const t0 = Date.now();
  api.pid = startProcess(api);
  writeState(state);
  await waitApiServer(state, rec, api, timeoutMs);
  log(`${rec.name}: kube-apiserver ready in ${((Date.now() - t0) / 1000).toFixed(1)} s on ${rec.server}`);

  const kcm = controllerManagerProcess(
    binDir,
    layout,
    componentKubeconfig(layout, rec.server, 'controller-manager'),
    logDir,
  );
  rec.processes.push(kcm);
  kcm.pid = startProcess(kcm);
  writeState(state);
  // The hub schedules only when it has a node to schedule onto.
  if (!provider && !state.realNode) return;

  const sched = schedulerProcess(binDir, layout, componentKubeconfig(layout, rec.server, 'scheduler'), logDir);
  rec.processes.push(sched);
  sched.pid = startProcess(sched);
  writeState(state);
  if (!provider) return;

  const kc = new KubeConfig();
  kc.loadFromFile(rec.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const nodes = fakeNodes(rec.name, rec.id, provider);
  for (const node of nodes) await core.createNode({ body: node });
  rec.nodes = nodes.map((n) => n.metadata?.name ?? '');
  const vms = provider.environment === 'VM';
  // Every member runs Multus, as a member whose instances join their zone's network must.
  await installCrds(kc, [networkAttachmentDefinitionCrd()]);
  if (vms) {
    await installCrds(kc, [virtualMachineCrd(), virtualMachineInstanceCrd()]);
    // kwok reads patch metadata from OpenAPI v3 at start and exits if the
    // group is not published yet, which lags behind Established.
    const pki = join(state.dir, 'clusters', rec.id, 'pki');
    await waitFor(
      async () => {
        const res = await probe(`${rec.server}/openapi/v3`, {
          ca: rec.caFile,
          cert: join(pki, 'client-admin.crt'),
          key: join(pki, 'client-admin.key'),
        });
        return res.status === 200 && res.body.includes('"apis/kubevirt.io/v1"');
      },
      { what: `${rec.name}: kubevirt.io/v1 in OpenAPI v3`, timeoutMs: 60_000 },
    );
  }

  // Pod and node IPs are status text only, never routed: a /16 per member
  // out of 10.128.0.0/9 keeps them distinct across members.
  rec.podCidr = `10.${128 + index}.0.0/16`;
  const stages = join(layout.dir, 'kwok-stages.yaml');
  writeFileSync(stages, kwokConfigText(vms));
  const kwok = kwokProcess(binDir, layout, rec.kubeconfig, stages, rec.podCidr, `10.${128 + index}.255.254`, logDir);
  rec.processes.push(kwok);
  kwok.pid = startProcess(kwok);
  writeState(state);
}

async function waitApiServer(
  state: TestbedState,
  rec: ClusterRecord,
  api: ProcessRecord,
  timeoutMs: number,
): Promise<void> {
  const pki = join(state.dir, 'clusters', rec.id, 'pki');
  await waitFor(
    async () =>
      (
        await probe(`${rec.server}/readyz`, {
          ca: rec.caFile,
          cert: join(pki, 'client-admin.crt'),
          key: join(pki, 'client-admin.key'),
        })
      ).status === 200,
    {
      what: `${rec.name}: kube-apiserver`,
      timeoutMs,
      log: api.log,
      aborted: () => (isOurs(api.pid, state.dir) ? undefined : 'kube-apiserver exited'),
    },
  );
}

async function installCrds(kc: KubeConfig, crds: V1CustomResourceDefinition[]): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of crds) await ext.createCustomResourceDefinition({ body: crd });
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    await waitFor(
      async () => {
        const got = await ext.readCustomResourceDefinition({ name });
        return (got.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
      },
      { what: `CRD ${name} established`, timeoutMs: 30_000 },
    );
  }
}

function startVmiStandIn(state: TestbedState, log: Log): void {
  const vmMembers = state.clusters.filter((c) => c.provider?.environment === 'VM');
  if (vmMembers.length === 0) return;
  const rec = vmiStandInProcess(state.dir);
  state.helpers.push(rec);
  rec.pid = startProcess(rec);
  writeState(state);
  log(`VMI stand-in started (pid ${rec.pid}) for ${vmMembers.map((c) => c.name).join(', ')}`);
}

/**
 * Starts containerd, imports the pause image and the given archives, starts
 * the kubelet and waits for its node to be Ready.
 */
async function startRealNode(
  state: TestbedState,
  hubLayout: ClusterLayout,
  ports: NodePorts,
  binDir: string,
  images: string[],
  log: Log,
): Promise<void> {
  const node = state.realNode;
  if (!node) return;
  const t0 = Date.now();
  const tools = findHostTools();
  const hub = findCluster(state, 'hub');
  const [containerd, kubelet] = realNodeProcesses(node, {
    binDir,
    pki: hubLayout.pki,
    hubServer: hub.server,
    ports,
    tools,
    logDir: join(state.dir, 'logs'),
  }) as [ProcessRecord, ProcessRecord];
  hub.processes.push(containerd);
  containerd.pid = startProcess(containerd);
  writeState(state);
  await waitFor(
    async () =>
      existsSync(node.containerdSocket) &&
      (await run(tools.ctr, ['--address', node.containerdSocket, 'version']).then(
        () => true,
        () => false,
      )),
    {
      what: 'hub node: containerd',
      timeoutMs: 30_000,
      log: containerd.log,
      aborted: () => (isOurs(containerd.pid, state.dir) ? undefined : 'containerd exited'),
    },
  );
  await importImage(node, tools, await pauseImageArchive(binDir, node.dir));
  for (const archive of images) {
    const names = await importImage(node, tools, archive);
    log(`hub node: imported ${names.join(', ') || archive}`);
  }
  await addNodeLink(node);
  hub.processes.push(kubelet);
  kubelet.pid = startProcess(kubelet);
  hub.nodes = [NODE_NAME];
  writeState(state);
  const kc = new KubeConfig();
  kc.loadFromFile(hub.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await waitFor(
    async () => {
      const nodes = (await core.listNode()).items.filter((n) => n.metadata?.name === NODE_NAME);
      return nodes.some((n) => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
    },
    {
      what: `hub: node ${NODE_NAME} Ready (kubelet)`,
      timeoutMs: 90_000,
      log: kubelet.log,
      aborted: () => (isOurs(kubelet.pid, state.dir) ? undefined : 'kubelet exited'),
    },
  );
  log(`hub: real node ${NODE_NAME} Ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (kubelet + containerd)`);
}

/** Imports an image archive into a running test bed's real node (like `kind load image-archive`). */
export async function loadImage(archive: string): Promise<string[]> {
  const state = requireState();
  if (!state.realNode) throw new Error('the test bed has no real node (testbed up --with-node)');
  const names = await importImage(state.realNode, findHostTools(), archive);
  writeState(state);
  return names;
}

/** Stops the real node: kubelet, then its containers, then containerd and its shims; unmounts its volumes. */
async function stopRealNode(state: TestbedState): Promise<void> {
  const node = state.realNode;
  if (!node) return;
  const hub = state.clusters.find((c) => c.role === 'hub');
  const byRole = (role: ProcessRecord['role']) => hub?.processes.find((p) => p.role === role);
  await stopProcess(byRole('kubelet')?.pid ?? null, state.dir);
  let tools;
  try {
    tools = findHostTools();
  } catch {
    tools = undefined;
  }
  if (tools) await killContainers(node, tools);
  await stopProcess(byRole('containerd')?.pid ?? null, state.dir);
  // containerd's shims outlive it; their command line names its socket.
  for (const pid of processesNaming(node.dir)) await stopProcess(pid, node.dir, 2000);
  await unmountBelow(node.dir);
  removeContainerLogLinks(node.dir);
  await removeNodeLink(node);
}

/** The kubelet links every container log into /var/log/containers (a fixed path); drop ours. */
function removeContainerLogLinks(nodeDir: string): void {
  const dir = '/var/log/containers';
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const link = join(dir, entry);
    try {
      if (readlinkSync(link).startsWith(nodeDir + '/')) unlinkSync(link);
    } catch {
      // not a link, or gone meanwhile
    }
  }
}

/** PIDs whose command line contains `text` (other than this process). */
function processesNaming(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (isOurs(pid, text)) pids.push(pid);
  }
  return pids;
}

async function waitMembersReady(state: TestbedState, log: Log): Promise<void> {
  await Promise.all(
    state.clusters.map(async (c) => {
      const kc = new KubeConfig();
      kc.loadFromFile(c.kubeconfig);
      const core = kc.makeApiClient(CoreV1Api);
      // The controller-manager is working once it made the default ServiceAccount.
      await waitFor(
        async () =>
          (await core.listNamespacedServiceAccount({ namespace: 'default' })).items.some(
            (sa) => sa.metadata?.name === 'default',
          ),
        {
          what: `${c.name}: default ServiceAccount (kube-controller-manager)`,
          timeoutMs: 60_000,
          log: c.processes.find((p) => p.role === 'kube-controller-manager')?.log,
        },
      );
      if (c.role !== 'member') return;
      const kwok = c.processes.find((p) => p.role === 'kwok');
      await waitFor(
        async () => {
          const nodes = (await core.listNode()).items;
          return (
            nodes.length === c.nodes.length &&
            nodes.every((n) => (n.status?.conditions ?? []).some((x) => x.type === 'Ready' && x.status === 'True'))
          );
        },
        {
          what: `${c.name}: nodes Ready (kwok)`,
          timeoutMs: 60_000,
          log: kwok?.log,
          aborted: () => (kwok && !isOurs(kwok.pid, state.dir) ? 'kwok exited' : undefined),
        },
      );
    }),
  );
  log('all clusters ready: controllers running, fake nodes Ready');
}

/** Runs `task` over `items`, at most `width` at a time, failing fast. */
async function pool<T>(items: readonly T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: Error | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && failed === undefined) {
      const item = items[next++];
      try {
        await task(item);
      } catch (err) {
        failed ??= err instanceof Error ? err : new Error(String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  if (failed !== undefined) throw failed;
}

async function stopAll(state: TestbedState): Promise<void> {
  await Promise.all(state.helpers.map((p) => stopProcess(p.pid, state.dir)));
  await stopRealNode(state);
  // Clients first, then API servers, etcd last: nothing logs storms of
  // connection errors while the servers it talks to are going away.
  const order: ProcessRecord['role'][] = ['kwok', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver'];
  for (const role of order) {
    await Promise.all(
      state.clusters.flatMap((c) =>
        c.processes.filter((p) => p.role === role).map((p) => stopProcess(p.pid, state.dir)),
      ),
    );
  }
  await stopProcess(state.etcd.process.pid, state.dir);
}

function startMetricsStandIn(state: TestbedState, log: Log): void {
  const rec = metricsStandInProcess(state.dir);
  state.helpers.push(rec);
  rec.pid = startProcess(rec);
  writeState(state);
  log(`metrics stand-in started (pid ${rec.pid}) for every member's metrics.k8s.io`);
}

/**
 * Starts the packet stand-in (tools/testbed/packet-stand-in.ts) for a
 * switch port map (a SwitchPortMap as JSON), replacing one that runs; it
 * builds its namespaces and then realises running instances every second.
 * `down` stops it and removes its namespaces. Needs root.
 */
export async function startPacketStandIn(
  portsFile: string,
  opts: { dir?: string; log?: Log } = {},
): Promise<ProcessRecord> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const state = requireState(opts.dir);
  await stopPacketStandIn({ dir: state.dir, log: () => undefined });
  const rec = packetStandInProcess(state.dir, portsFile);
  state.helpers.push(rec);
  rec.pid = startProcess(rec);
  writeState(state);
  log(`packet stand-in started (pid ${rec.pid}) for the ports in ${portsFile}`);
  return rec;
}

/** Stops the packet stand-in and removes every network namespace of this test bed. */
export async function stopPacketStandIn(opts: { dir?: string; log?: Log } = {}): Promise<void> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const state = requireState(opts.dir);
  const mine = state.helpers.filter((p) => p.role === 'packet-stand-in');
  await Promise.all(mine.map((p) => stopProcess(p.pid, state.dir)));
  state.helpers = state.helpers.filter((p) => p.role !== 'packet-stand-in');
  writeState(state);
  const removed = await removeNetworkNamespaces(state.dir);
  if (mine.length > 0 || removed.length > 0)
    log(`packet stand-in stopped; ${removed.length} network namespaces removed`);
}

/** The namespaces the packet stand-in made for this folder (none when `ip` is missing or we are not root). */
async function removeNetworkNamespaces(dir: string): Promise<string[]> {
  return removeFabric(fabricPrefix(dir)).catch(() => []);
}

/** Stops every process of the test bed by PID and removes its state. */
export async function down(opts: { dir?: string; log?: Log } = {}): Promise<{ seconds: number; stopped: number }> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const dir = opts.dir ?? stateDir();
  const t0 = Date.now();
  const state = readState(dir);
  let stopped = 0;
  if (state) {
    stopped = processHealth(state).filter((p) => p.state === 'running').length;
    await stopAll(state);
    await removeNetworkNamespaces(state.dir);
  }
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  const seconds = Math.round((Date.now() - t0) / 100) / 10;
  log(
    state
      ? `test bed down: ${stopped} processes stopped in ${seconds} s; ${dir} removed`
      : `no test bed in ${dir}; nothing to stop`,
  );
  return { seconds, stopped };
}

export interface StatusReport {
  up: boolean;
  dir: string;
  processes: ProcessHealth[];
  apiServers: { cluster: string; server: string; ready: boolean }[];
  totalRssMiB: number;
  totalPssMiB: number;
}

export async function status(opts: { dir?: string } = {}): Promise<StatusReport> {
  const dir = opts.dir ?? stateDir();
  const state = readState(dir);
  if (!state) return { up: false, dir, processes: [], apiServers: [], totalRssMiB: 0, totalPssMiB: 0 };
  const processes = processHealth(state);
  const apiServers = await Promise.all(
    state.clusters.map(async (c) => {
      const pki = join(dir, 'clusters', c.id, 'pki');
      let ready: boolean;
      try {
        ready =
          (
            await probe(`${c.server}/readyz`, {
              ca: c.caFile,
              cert: join(pki, 'client-admin.crt'),
              key: join(pki, 'client-admin.key'),
            })
          ).status === 200;
      } catch {
        ready = false;
      }
      return { cluster: c.name, server: c.server, ready };
    }),
  );
  const totalRssMiB = Math.round(processes.reduce((s, p) => s + (p.rssMiB ?? 0), 0));
  const totalPssMiB = Math.round(processes.reduce((s, p) => s + (p.pssMiB ?? 0), 0));
  return { up: true, dir, processes, apiServers, totalRssMiB, totalPssMiB };
}

/** The state and one cluster's kube-apiserver record, for stop/start. */
function apiServerRecord(name: string, dir: string) {
  const state = readState(dir);
  if (!state) throw new Error(`no test bed in ${dir}`);
  const rec = findCluster(state, name);
  const api = rec.processes.find((p) => p.role === 'kube-apiserver');
  if (!api) throw new Error(`${rec.name} has no kube-apiserver record`);
  return { state, rec, api };
}

/**
 * Stops one cluster's API server (its controllers and KWOK keep running and
 * retry, as they would against a real outage). `status` shows it "stopped".
 */
export async function stopApiServer(name: string, opts: { dir?: string } = {}): Promise<void> {
  const dir = opts.dir ?? stateDir();
  const { state, api } = apiServerRecord(name, dir);
  await stopProcess(api.pid, dir);
  api.pid = null;
  api.stoppedOnPurpose = true;
  writeState(state);
}

/** Starts a stopped API server again with the same flags and waits until ready. */
export async function startApiServer(
  name: string,
  opts: { dir?: string; timeoutSeconds?: number } = {},
): Promise<void> {
  const dir = opts.dir ?? stateDir();
  const { state, rec, api } = apiServerRecord(name, dir);
  if (!isOurs(api.pid, dir)) {
    api.pid = startProcess(api);
    delete api.stoppedOnPurpose;
    writeState(state);
  }
  await waitApiServer(state, rec, api, (opts.timeoutSeconds ?? 120) * 1000);
}

/**
 * Starts every crashed process again with its recorded command line
 * (processes stopped on purpose stay stopped). Returns what was restarted.
 */
export async function repair(opts: { dir?: string; log?: Log } = {}): Promise<string[]> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const dir = opts.dir ?? stateDir();
  const state = readState(dir);
  if (!state) throw new Error(`no test bed in ${dir}`);
  const restarted: string[] = [];
  const revive = (p: ProcessRecord, label: string): void => {
    if (p.stoppedOnPurpose || isOurs(p.pid, dir)) return;
    p.pid = startProcess(p);
    restarted.push(label);
    log(`${label}: restarted (pid ${p.pid})`);
  };
  // etcd first, then the API servers, then their clients: the same order as `up`.
  revive(state.etcd.process, 'etcd');
  for (const role of [
    'kube-apiserver',
    'kube-controller-manager',
    'kube-scheduler',
    'kwok',
    'containerd',
    'kubelet',
  ] as const) {
    for (const c of state.clusters)
      for (const p of c.processes.filter((x) => x.role === role)) revive(p, `${c.name}/${role}`);
  }
  for (const p of state.helpers) revive(p, p.role);
  writeState(state);
  for (const c of state.clusters) {
    const api = c.processes.find((p) => p.role === 'kube-apiserver');
    if (api && !api.stoppedOnPurpose) await waitApiServer(state, c, api, 120_000);
  }
  if (restarted.length === 0) log('nothing crashed; nothing to do');
  return restarted;
}
