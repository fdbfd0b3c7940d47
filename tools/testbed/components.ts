// Command lines of the test bed's processes. Each flag that differs from a
// real cluster's says why; the rest is what a kubeadm-style control plane
// would run, trimmed to one machine with two cores.

import { join } from 'node:path';
import { FRONT_PROXY_CLIENT, type ClusterPki } from './pki.js';
import type { ProcessRecord } from './state.js';

export interface ClusterLayout {
  id: string;
  dir: string;
  port: number;
  etcdUrl: string;
  etcdPrefix: string;
  pki: ClusterPki;
}

/** Go runtime settings for every server: fewer threads fighting over 2 cores. */
function goEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  // GOGC above 100 trades a little memory for less collector CPU while all
  // servers start at once; overridable to measure other settings.
  env['GOGC'] = process.env['TESTBED_GOGC'] ?? '100';
  if (process.env['TESTBED_GOMAXPROCS']) env['GOMAXPROCS'] = process.env['TESTBED_GOMAXPROCS'];
  return env;
}

export function etcdProcess(binDir: string, dir: string, clientPort: number, peerPort: number): ProcessRecord {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return {
    role: 'etcd',
    pid: null,
    command: join(binDir, 'etcd'),
    args: [
      '--name=testbed',
      `--data-dir=${join(dir, 'etcd-data')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=testbed=${peer}`,
      // Throw-away data: durability costs fsyncs the test bed does not need.
      '--unsafe-no-fsync=true',
      '--quota-backend-bytes=4294967296',
      '--log-level=warn',
    ],
    env: goEnv(),
    log: join(dir, 'logs', 'etcd.log'),
  };
}

export function apiServerProcess(
  binDir: string,
  c: ClusterLayout,
  logDir: string,
  extraArgs: readonly string[] = [],
): ProcessRecord {
  return {
    role: 'kube-apiserver',
    cluster: c.id,
    pid: null,
    command: join(binDir, 'kube-apiserver'),
    args: [
      `--etcd-servers=${c.etcdUrl}`,
      // One etcd for all clusters; each keeps to its own key prefix.
      `--etcd-prefix=${c.etcdPrefix}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${c.port}`,
      `--cert-dir=${join(c.dir, 'serving')}`,
      `--tls-cert-file=${c.pki.servingCert}`,
      `--tls-private-key-file=${c.pki.servingKey}`,
      `--client-ca-file=${c.pki.caCert}`,
      `--service-account-issuer=https://127.0.0.1:${c.port}`,
      `--service-account-key-file=${c.pki.saPub}`,
      `--service-account-signing-key-file=${c.pki.saKey}`,
      // Only an allocation range for Service objects; nothing routes it.
      '--service-cluster-ip-range=10.96.0.0/16',
      // RBAC on, so permission tests are real.
      '--authorization-mode=RBAC',
      '--allow-privileged=true',
      // This plugin taints every new node not-ready and leaves removing the
      // taint to the node-lifecycle controller, which the test bed does not
      // run (KWOK nodes have no heartbeats to watch).
      '--disable-admission-plugins=TaintNodesByCondition',
      // The endpoint reconciler would publish 127.0.0.1 for the `kubernetes`
      // Service, which endpoint validation rejects; nothing here needs it.
      '--endpoint-reconciler-type=none',
      // The kube-aggregator, as on a real member: it proxies metrics.k8s.io to the
      // metrics stand-in (metrics-stand-in.ts) as the front-proxy client, passing
      // the authenticated user in these headers.
      `--requestheader-client-ca-file=${c.pki.frontProxyCaCert}`,
      `--requestheader-allowed-names=${FRONT_PROXY_CLIENT}`,
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${c.pki.frontProxyClient.cert}`,
      `--proxy-client-key-file=${c.pki.frontProxyClient.key}`,
      // TESTBED_PROFILING=1 serves /debug/pprof, to see where an API server's CPU goes under a benchmark.
      `--profiling=${process.env.TESTBED_PROFILING === '1'}`,
      '--v=1',
      ...extraArgs,
    ],
    env: goEnv(),
    log: join(logDir, `${c.id}-kube-apiserver.log`),
  };
}

/**
 * Only the controllers a member needs so that namespaces finish deleting,
 * owned objects are collected, default ServiceAccounts and their tokens
 * exist, and Deployments/ReplicaSets/Jobs work: the rest of a
 * controller-manager (nodes, routes, volumes, certificates ...) has no
 * real counterpart here.
 */
export const CONTROLLERS = [
  'namespace-controller',
  'garbage-collector-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'deployment-controller',
  'replicaset-controller',
  'job-controller',
  // Fills the aggregated admin/edit/view ClusterRoles; without it a
  // RoleBinding to `edit` grants nothing.
  'clusterrole-aggregation-controller',
];

export function controllerManagerProcess(
  binDir: string,
  c: ClusterLayout,
  kubeconfig: string,
  logDir: string,
): ProcessRecord {
  return {
    role: 'kube-controller-manager',
    cluster: c.id,
    pid: null,
    command: join(binDir, 'kube-controller-manager'),
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--controllers=${CONTROLLERS.join(',')}`,
      // One instance per cluster: nothing to elect, and no lease traffic.
      '--leader-elect=false',
      // No serving port: nine managers would fight over the default 10257.
      '--secure-port=0',
      // Each controller acts as its own ServiceAccount with its bootstrap
      // role (as kubeadm runs it); the manager's own user may do far less.
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${c.pki.saKey}`,
      `--root-ca-file=${c.pki.caCert}`,
      `--cluster-name=${c.id}`,
      '--profiling=false',
      '--v=1',
    ],
    env: goEnv(),
    log: join(logDir, `${c.id}-kube-controller-manager.log`),
  };
}

export function schedulerProcess(binDir: string, c: ClusterLayout, kubeconfig: string, logDir: string): ProcessRecord {
  return {
    role: 'kube-scheduler',
    cluster: c.id,
    pid: null,
    command: join(binDir, 'kube-scheduler'),
    args: [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--secure-port=0', '--profiling=false', '--v=1'],
    env: goEnv(),
    log: join(logDir, `${c.id}-kube-scheduler.log`),
  };
}

export function kwokProcess(
  binDir: string,
  c: ClusterLayout,
  kubeconfig: string,
  stagesFile: string,
  podCidr: string,
  nodeIp: string,
  logDir: string,
): ProcessRecord {
  return {
    role: 'kwok',
    cluster: c.id,
    pid: null,
    command: join(binDir, 'kwok'),
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--config=${stagesFile}`,
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      `--cidr=${podCidr}`,
      `--node-ip=${nodeIp}`,
    ],
    env: goEnv(),
    log: join(logDir, `${c.id}-kwok.log`),
  };
}
