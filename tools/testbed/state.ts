// The test bed's state file and the small API that tests and the operator's
// main command use to find the clusters: read the state, pick the hub or a
// member by provider name, get its kubeconfig path.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { Capacity, Environment, ProviderTier, ResourceType } from '../../src/core/api/types.js';
import { stateDir, stateFile } from './paths.js';
import type { RealNodeRecord } from './real-node.js';

export const STATE_VERSION = 1;

export type ProcessRole =
  | 'etcd'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kwok'
  | 'vmi-stand-in'
  | 'packet-stand-in'
  | 'metrics-stand-in'
  | 'containerd'
  | 'kubelet';

export interface ProcessRecord {
  role: ProcessRole;
  /** Cluster id, absent for the shared etcd. */
  cluster?: string;
  /** Null while stopped on purpose (see `stoppedOnPurpose`). */
  pid: number | null;
  command: string;
  args: string[];
  env: Record<string, string>;
  log: string;
  /** True after stopApiServer: `status` then says "stopped", not "crashed". */
  stoppedOnPurpose?: boolean;
}

export interface ProviderFacts {
  country: string;
  mcc: number;
  tier: ProviderTier;
  environment: Environment;
  resourceTypes: ResourceType[];
  capacity: Required<Capacity>;
}

export interface ClusterRecord {
  /** `hub`, or the provider's name as the catalogue spells it (`Fog1`). */
  name: string;
  /** DNS-safe lower-case form of the name: file names, etcd prefix. */
  id: string;
  role: 'hub' | 'member';
  /** https://127.0.0.1:<port> */
  server: string;
  port: number;
  etcdPrefix: string;
  /** Admin kubeconfig (client certificate in system:masters). */
  kubeconfig: string;
  caFile: string;
  /** Members only. */
  provider?: ProviderFacts;
  /** Fake (KWOK) node names; empty for the hub. */
  nodes: string[];
  /** Pod IP range KWOK hands out in this member (status only, never routed). */
  podCidr?: string;
  /** Members only: the port the metrics stand-in serves this member's metrics.k8s.io on. */
  metricsPort?: number;
  processes: ProcessRecord[];
}

export interface TestbedState {
  version: typeof STATE_VERSION;
  dir: string;
  startedAt: string;
  /** Wall time of the `up` that made this state. */
  upSeconds?: number;
  binDir: string;
  versions: Record<string, string>;
  catalogue: string;
  etcd: { url: string; process: ProcessRecord };
  clusters: ClusterRecord[];
  /** Test-bed-only helpers that serve several clusters (the VMI and packet stand-ins). */
  helpers: ProcessRecord[];
  /** The hub's real node (kubelet + containerd), with `up --with-node`. */
  realNode?: RealNodeRecord;
}

export function readState(dir = stateDir()): TestbedState | undefined {
  const file = stateFile(dir);
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Omit<TestbedState, 'version'> & { version: unknown };
  if (parsed.version !== STATE_VERSION)
    throw new Error(
      `${file}: state version ${String(parsed.version)}, expected ${STATE_VERSION}; run "testbed down" first`,
    );
  return parsed as TestbedState;
}

/** Like readState, but a missing test bed is an error with the fix in it. */
export function requireState(dir = stateDir()): TestbedState {
  const state = readState(dir);
  if (!state) throw new Error(`no test bed in ${dir}; start one with "npm run testbed -- up"`);
  return state;
}

export function writeState(state: TestbedState): void {
  const file = stateFile(state.dir);
  // Write then rename, so a reader never sees half a file.
  writeFileSync(file + '.tmp', JSON.stringify(state, null, 2) + '\n');
  renameSync(file + '.tmp', file);
}

export function hubCluster(state: TestbedState): ClusterRecord {
  const hub = state.clusters.find((c) => c.role === 'hub');
  if (!hub) throw new Error('test bed state has no hub cluster');
  return hub;
}

export function memberClusters(state: TestbedState): ClusterRecord[] {
  return state.clusters.filter((c) => c.role === 'member');
}

/** By provider name or id, case-insensitive (`Fog1`, `fog1`, `hub`). */
export function findCluster(state: TestbedState, name: string): ClusterRecord {
  const wanted = name.toLowerCase();
  const hit = state.clusters.find((c) => c.id === wanted || c.name.toLowerCase() === wanted);
  if (!hit)
    throw new Error(`no cluster "${name}" in the test bed; have ${state.clusters.map((c) => c.name).join(', ')}`);
  return hit;
}

export function kubeconfigPath(name: string, state: TestbedState = requireState()): string {
  return findCluster(state, name).kubeconfig;
}

/** A client-node KubeConfig for one cluster of the test bed. */
export function loadKubeConfig(name: string, state: TestbedState = requireState()): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath(name, state));
  return kc;
}
