// The hub's one real node (opt-in: `testbed up --with-node`): a kubelet
// built with the API server, Debian's containerd 1.6 and runc, so that a
// Deployment on the hub becomes a running pod from a locally built image.
// Members keep their KWOK nodes.
//
// What the machine lacks, and how this copes:
// - no CAP_SYS_RESOURCE: containerd's restrict_oom_score_adj, or every pod
//   sandbox fails in runc ("can't get final child's PID from pipe: EOF");
// - hybrid cgroup v1: the kubelet's failCgroupV1 off, the cgroupfs driver,
//   no QoS cgroups;
// - no container registry: the pod sandbox image is made here from the
//   test bed's own pause binary, and images are imported with `ctr`.
// Pods run in the host network (hostNetwork: true): the API servers listen
// on loopback only, which a pod in its own network namespace cannot reach.
// The node's address is not loopback (the kubelet refuses one): a veth pair
// of the test bed's own carries an address from 198.18.0.0/15 (RFC 2544's
// benchmarking range, never routed), so the API server reaches the kubelet
// (logs, exec) without the host's own interfaces being involved.
// A bridge CNI configuration exists because the kubelet reports the node
// Ready only once the runtime's network is configured.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeKubeconfig } from './kubeconfig.js';
import type { ClusterPki } from './pki.js';
import type { ProcessRecord } from './state.js';

const run = promisify(execFile);

/** The name the kubelet registers (and pods report as spec.nodeName). */
export const NODE_NAME = 'hub-node';
/** The sandbox image containerd starts for every pod; made by `pauseImageArchive`. */
export const PAUSE_IMAGE = 'localhost/zonekeeper-testbed-pause:1';

export interface RealNodeRecord {
  name: string;
  dir: string;
  containerdSocket: string;
  kubeletPort: number;
  /** The node's InternalIP, on `link`; the kubelet listens there. */
  address: string;
  /** The host-side veth that holds `address` (its peer is `${link}p`). */
  link: string;
  /** Images imported into containerd's k8s.io namespace at `up`. */
  images: string[];
}

/** Host programs the real node needs (scripts/install-deps.sh installs them). */
export interface HostTools {
  containerd: string;
  ctr: string;
  runc: string;
  cniBinDir: string;
}

export function findHostTools(): HostTools {
  const first = (what: string, candidates: string[]): string => {
    const hit = candidates.find((c) => existsSync(c));
    if (!hit)
      throw new Error(
        `testbed --with-node needs ${what} (looked in ${candidates.join(', ')}); install it with scripts/install-deps.sh`,
      );
    return hit;
  };
  return {
    containerd: first('containerd (Debian package containerd)', ['/usr/bin/containerd', '/usr/local/bin/containerd']),
    ctr: first('ctr (Debian package containerd)', ['/usr/bin/ctr', '/usr/local/bin/ctr']),
    runc: first('runc (Debian package runc)', ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/bin/runc']),
    cniBinDir: join(
      first('the CNI bridge plugin (Debian package containernetworking-plugins)', [
        '/usr/lib/cni/bridge',
        '/opt/cni/bin/bridge',
      ]),
      '..',
    ),
  };
}

export interface NodePorts {
  kubelet: number;
  kubeletHealthz: number;
  streaming: number;
}

export function realNodeRecord(stateDir: string, ports: NodePorts): RealNodeRecord {
  const dir = join(stateDir, 'node');
  const socket = join(dir, 'containerd.sock');
  // A unix socket path longer than sun_path (108 bytes) cannot be bound.
  if (Buffer.byteLength(socket) > 100)
    throw new Error(`test bed folder ${stateDir} is too long for containerd's socket path; use a shorter TESTBED_DIR`);
  // Address and link name from the folder: two test beds on one machine differ.
  const h = createHash('sha256').update(stateDir).digest();
  const address = `198.${18 + (h[0] % 2)}.${h[1]}.${1 + (h[2] % 254)}`;
  const link = `zktb${h.subarray(3, 6).toString('hex')}`;
  return { name: NODE_NAME, dir, containerdSocket: socket, kubeletPort: ports.kubelet, address, link, images: [] };
}

/** Makes the veth pair that carries the node's address (replacing a leftover one). */
export async function addNodeLink(node: RealNodeRecord): Promise<void> {
  await removeNodeLink(node);
  const ip = (args: string[]) => run('ip', args);
  await ip(['link', 'add', node.link, 'type', 'veth', 'peer', 'name', `${node.link}p`]);
  await ip(['addr', 'add', `${node.address}/32`, 'dev', node.link]);
  await ip(['link', 'set', node.link, 'up']);
  await ip(['link', 'set', `${node.link}p`, 'up']);
}

/** Removes the node's veth pair (deleting one end removes both); no error if it is gone. */
export async function removeNodeLink(node: RealNodeRecord): Promise<void> {
  await run('ip', ['link', 'del', node.link]).catch(() => undefined);
}

function containerdConfig(node: RealNodeRecord, tools: HostTools, streamingPort: number): string {
  return `version = 2
root = "${join(node.dir, 'containerd', 'root')}"
state = "${join(node.dir, 'containerd', 'state')}"
# Snapshotters that need kernel or file-system support the test bed does
# not have, and the plugin that would install binaries into /opt.
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.internal.v1.opt"]

[grpc]
  address = "${node.containerdSocket}"

[ttrpc]
  address = "${node.containerdSocket}.ttrpc"

[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  # The sandbox lacks CAP_SYS_RESOURCE: a negative oom_score_adj asked by the
  # kubelet would fail every pod sandbox in runc.
  restrict_oom_score_adj = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "${streamingPort}"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    # overlayfs inside an overlay root is not reliable; copies are.
    snapshotter = "native"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "${tools.runc}"
        Root = "${join(node.dir, 'runc')}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${tools.cniBinDir}"
    conf_dir = "${join(node.dir, 'cni')}"
`;
}

/** A bridge network for pods that are not in the host network (none of ours). */
function cniConfig(): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'zonekeeper-testbed',
      plugins: [
        {
          type: 'bridge',
          bridge: 'zktb0',
          isGateway: true,
          ipMasq: false,
          ipam: { type: 'host-local', ranges: [[{ subnet: '10.250.0.0/24' }]] },
        },
        { type: 'loopback' },
      ],
    },
    null,
    2,
  );
}

function kubeletConfig(node: RealNodeRecord, pki: ClusterPki, ports: NodePorts): string {
  return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# The host runs hybrid cgroup v1, which kubelets since 1.35 refuse unless told.
failCgroupV1: false
cgroupDriver: cgroupfs
# No QoS or node-allocatable cgroups: the kubelet may not own the host's cgroup tree here.
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
localStorageCapacityIsolation: false
resolvConf: ""
address: ${node.address}
port: ${ports.kubelet}
healthzBindAddress: 127.0.0.1
healthzPort: ${ports.kubeletHealthz}
readOnlyPort: 0
containerRuntimeEndpoint: unix://${node.containerdSocket}
podLogsDir: ${join(node.dir, 'pod-logs')}
# The API server reaches the kubelet (logs, exec) with the hub's admin
# client certificate; anything else is refused.
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: false }
  x509: { clientCAFile: ${pki.caCert} }
authorization:
  mode: AlwaysAllow
serializeImagePulls: false
registerNode: true
`;
}

/** Writes the configuration files and returns the two processes, containerd first. */
export function realNodeProcesses(
  node: RealNodeRecord,
  opts: { binDir: string; pki: ClusterPki; hubServer: string; ports: NodePorts; tools: HostTools; logDir: string },
): ProcessRecord[] {
  for (const sub of ['containerd', 'runc', 'cni', 'kubelet', 'pod-logs'])
    mkdirSync(join(node.dir, sub), { recursive: true });
  writeFileSync(join(node.dir, 'containerd.toml'), containerdConfig(node, opts.tools, opts.ports.streaming));
  writeFileSync(join(node.dir, 'cni', '10-zonekeeper-testbed.conflist'), cniConfig());
  writeFileSync(join(node.dir, 'kubelet.yaml'), kubeletConfig(node, opts.pki, opts.ports));
  const kubeconfig = join(node.dir, 'kubelet.kubeconfig');
  // The admin identity: the test bed's hub has no Node authorizer or
  // certificate signing, which a kubelet's own identity would need.
  writeKubeconfig(kubeconfig, {
    contextName: 'hub',
    server: opts.hubServer,
    caFile: opts.pki.caCert,
    userName: NODE_NAME,
    certFile: opts.pki.clients.admin.cert,
    keyFile: opts.pki.clients.admin.key,
  });
  const containerd: ProcessRecord = {
    role: 'containerd',
    cluster: 'hub',
    pid: null,
    command: opts.tools.containerd,
    args: ['--config', join(node.dir, 'containerd.toml'), '--log-level', 'warn'],
    env: {},
    log: join(opts.logDir, 'hub-containerd.log'),
  };
  const kubelet: ProcessRecord = {
    role: 'kubelet',
    cluster: 'hub',
    pid: null,
    command: join(opts.binDir, 'kubelet'),
    args: [
      `--config=${join(node.dir, 'kubelet.yaml')}`,
      `--kubeconfig=${kubeconfig}`,
      `--root-dir=${join(node.dir, 'kubelet')}`,
      `--cert-dir=${join(node.dir, 'kubelet', 'pki')}`,
      `--hostname-override=${NODE_NAME}`,
      // The API server dials the kubelet by this address (logs, exec).
      `--node-ip=${node.address}`,
      '--node-labels=zonekeeper.io/testbed-node=real',
      '--v=1',
    ],
    env: {},
    log: join(opts.logDir, 'hub-kubelet.log'),
  };
  return [containerd, kubelet];
}

/** `ctr` against the node's containerd, in the namespace the CRI uses. */
export async function ctr(node: RealNodeRecord, tools: HostTools, args: string[]): Promise<string> {
  const { stdout } = await run(tools.ctr, ['--address', node.containerdSocket, '--namespace', 'k8s.io', ...args], {
    maxBuffer: 16 << 20,
  });
  return stdout;
}

/** Imports a docker or OCI archive (for example `podman save`) and returns the image names in it. */
export async function importImage(node: RealNodeRecord, tools: HostTools, archive: string): Promise<string[]> {
  const out = await ctr(node, tools, ['images', 'import', '--snapshotter', 'native', archive]);
  // ctr prints "unpacking NAME (sha256:...)...done" per image.
  const names = [...out.matchAll(/unpacking (\S+) \(/g)].map((m) => m[1]);
  node.images.push(...names);
  return names;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * A docker-archive holding one image whose only file is the pause binary:
 * enough for containerd's sandbox_image, made with tar alone.
 */
export async function pauseImageArchive(binDir: string, workDir: string): Promise<string> {
  const root = join(workDir, 'pause-rootfs');
  const out = join(workDir, 'pause-image');
  rmSync(root, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  mkdirSync(out, { recursive: true });
  copyFileSync(join(binDir, 'pause'), join(root, 'pause'));
  const layerTmp = join(out, 'layer.tar');
  await run('tar', ['--numeric-owner', '--owner=0', '--group=0', '--mtime=@0', '-C', root, '-cf', layerTmp, 'pause']);
  const layer = readFileSync(layerTmp);
  const diffId = sha256(layer);
  mkdirSync(join(out, diffId));
  writeFileSync(join(out, diffId, 'layer.tar'), layer);
  rmSync(layerTmp);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Entrypoint: ['/pause'], User: '65535:65535' },
      rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
    }),
  );
  const configName = `${sha256(config)}.json`;
  writeFileSync(join(out, configName), config);
  writeFileSync(
    join(out, 'manifest.json'),
    JSON.stringify([{ Config: configName, RepoTags: [PAUSE_IMAGE], Layers: [`${diffId}/layer.tar`] }]),
  );
  const archive = join(workDir, 'pause-image.tar');
  await run('tar', ['-C', out, '-cf', archive, '.']);
  rmSync(root, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  return archive;
}

/**
 * Kills every container of the node while containerd still runs (the kubelet
 * must already be stopped, or it would start them again), so no pod outlives
 * the test bed.
 */
export async function killContainers(node: RealNodeRecord, tools: HostTools): Promise<void> {
  let tasks: string[];
  try {
    tasks = (await ctr(node, tools, ['tasks', 'list', '--quiet'])).split('\n').filter((t) => t.trim() !== '');
  } catch {
    return; // containerd is gone already; the shims are found by their command line
  }
  for (const id of tasks) {
    await ctr(node, tools, ['tasks', 'kill', '--signal', 'SIGKILL', id]).catch(() => undefined);
  }
  for (const id of tasks) {
    for (let i = 0; i < 20; i++) {
      const gone = await ctr(node, tools, ['tasks', 'delete', id]).then(
        () => true,
        (err: unknown) => String(err).includes('not found'),
      );
      if (gone) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Unmounts what the kubelet and containerd mounted below the node's folder (deepest first). */
export async function unmountBelow(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await run('umount', ['-l', m]).catch(() => undefined);
}
