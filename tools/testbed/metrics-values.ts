// The numbers the metrics stand-in (metrics-stand-in.ts) serves: a test
// writes a pod's per-container usage here, the stand-in reads the file at
// every request. One file per test bed: <state dir>/metrics/values.json,
// member name -> `namespace/pod` -> container -> {cpu, memory} (Kubernetes
// quantities, as PodMetrics carries them).

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ContainerUsage {
  cpu: string;
  memory: string;
}

export type MetricsValues = Record<string, Record<string, Record<string, ContainerUsage>>>;

export const metricsValuesFile = (stateDir: string): string => join(stateDir, 'metrics', 'values.json');

export function readMetricsValues(stateDir: string): MetricsValues {
  const file = metricsValuesFile(stateDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as MetricsValues) : {};
}

/** Sets (or with `undefined`, removes) one pod's usage; the file is replaced whole, so a reader never sees half. */
export function setPodUsage(
  stateDir: string,
  member: string,
  namespace: string,
  pod: string,
  containers: Record<string, ContainerUsage> | undefined,
): void {
  const values = readMetricsValues(stateDir);
  const pods = (values[member] ??= {});
  if (containers) pods[`${namespace}/${pod}`] = containers;
  else delete pods[`${namespace}/${pod}`];
  const file = metricsValuesFile(stateDir);
  mkdirSync(join(stateDir, 'metrics'), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(values, null, 1));
  renameSync(`${file}.tmp`, file);
}
