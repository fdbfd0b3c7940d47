// The data plane of a deployment as real processes, for the operator's
// integration tests: the project's software P4Runtime switch and the
// sidecar, each a `node dist/...` child with its output in the test bed's
// logs, plus a plain P4Runtime reader for what the switch really holds.
// Every hop speaks mutual TLS, as deployed, with certificates of one test
// CA (dataPlanePki) in the test bed's folder.

import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { type GrpcSecurity, mutualTls } from '../../../src/runtime/grpc-tls.js';
import { makeTestPki, type TestPki } from '../../../tools/harness/test-pki.js';
import { requireState } from '../../../tools/testbed/state.js';
import { actionKey, entryKey } from '../../../src/p4/entry-keys.js';
import { translateEntry } from '../../../src/p4/entry-translator.js';
import { P4InfoIndex, readP4InfoFile } from '../../../src/p4/p4info.js';
import { P4RuntimeClient } from '../../../src/p4/p4runtime-client.js';
import { SidecarClient } from '../../../src/sidecar/sidecar-client.js';
import type { PlannedEntry } from '../../../src/core/network/p4-entries.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { NodeChild } from '../../../tools/harness/node-child.js';

export const P4INFO_FILE = join(repoRoot(), 'p4', 'zone_switch.p4info.txtpb');

export { NodeChild };

let pki: TestPki | undefined;
/** The test CA of the data plane, made once per run. */
export function dataPlanePki(): TestPki {
  pki ??= makeTestPki(mkdtempSync(join(requireState().dir, 'pki-')));
  return pki;
}
/** The certificate folder of one party (zone-switch, zone-sidecar, operator, reader), issued once. */
const issued = new Map<string, string>();
export function tlsDirOf(party: string): string {
  let dir = issued.get(party);
  if (!dir) {
    dir = dataPlanePki().issue(party);
    issued.set(party, dir);
  }
  return dir;
}
let readerTls: GrpcSecurity | undefined;
let operatorTls: GrpcSecurity | undefined;
/** A client of the sidecar with the operator's certificate, as the operator dials it. */
export function operatorSidecarClient(address: string): SidecarClient {
  operatorTls ??= mutualTls(tlsDirOf('operator'));
  return new SidecarClient(address, undefined, operatorTls);
}

/** The client credentials tests use to read a switch (and to probe BMv2's readiness). */
export function readerSecurity(): GrpcSecurity {
  readerTls ??= mutualTls(tlsDirOf('reader'));
  return readerTls;
}

export async function startSwitch(logDir: string): Promise<{ proc: NodeChild; address: string; metrics: string }> {
  const { proc, match } = await NodeChild.start({
    name: 'zone-switch',
    script: 'src/switch/main.js',
    args: ['--port', '0', '--device-id', '1', '--tls-dir', tlsDirOf('zone-switch'), '--metrics', '127.0.0.1:0'],
    ready: /listening on ([\d.]+:\d+) .* metrics ([\d.]+:\d+)/,
    logFile: join(logDir, 'it-zone-switch.log'),
  });
  return { proc, address: match[1], metrics: match[2] };
}

/** `listen` 127.0.0.1:0 picks a port; a restart passes the port it had, so the operator finds it again. */
export async function startSidecar(
  logDir: string,
  switchAddress: string,
  listen = '127.0.0.1:0',
): Promise<{ proc: NodeChild; address: string }> {
  const { proc, match } = await NodeChild.start({
    name: 'zone-sidecar',
    script: 'src/sidecar/main.js',
    // The election id as deployed: the flags' default (term 0, a random ordinal) until the operator's SetElection.
    args: [
      '--switch',
      `${switchAddress}@1`,
      '--p4info',
      P4INFO_FILE,
      '--listen',
      listen,
      '--http',
      '127.0.0.1:0',
      '--tls-dir',
      tlsDirOf('zone-sidecar'),
    ],
    ready: /listening on ([\d.]+:\d+) http/,
    logFile: join(logDir, 'it-zone-sidecar.log'),
  });
  return { proc, address: match[1] };
}

const index = new P4InfoIndex(readP4InfoFile(P4INFO_FILE));

/** Planned entries as the switch would hold them: canonical key -> action. */
export function asSwitchEntries(entries: readonly PlannedEntry[]): Map<string, string> {
  const out = new Map<string, string>();
  entries.forEach((p, i) => {
    const { entry, problem } = translateEntry(index, p, `entries[${i}]`);
    if (!entry) throw new Error(`planned entry does not translate: ${problem?.path}: ${problem?.reason}`);
    out.set(entryKey(entry), actionKey(entry));
  });
  return out;
}

/** Switch entries (key -> action) in one order, so two readings compare as arrays. */
export function sortedEntries(m: Map<string, string>): [string, string][] {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The software switch and a sidecar in front of it, both on mutual TLS. */
export async function startDataPlane(logDir: string): Promise<{
  sw: NodeChild;
  switchAddress: string;
  switchMetrics: string;
  sidecar: NodeChild;
  sidecarAddress: string;
}> {
  const s = await startSwitch(logDir);
  const sc = await startSidecar(logDir, s.address);
  return {
    sw: s.proc,
    switchAddress: s.address,
    switchMetrics: s.metrics,
    sidecar: sc.proc,
    sidecarAddress: sc.address,
  };
}

/** Every table entry on the switch (a P4Runtime wildcard read), as key -> action. */
export async function readSwitch(address: string): Promise<Map<string, string>> {
  const c = new P4RuntimeClient(address, { security: readerSecurity() });
  try {
    const ents = await c.read({ device_id: '1', entities: [{ table_entry: {} }] });
    return new Map(ents.map((e) => [entryKey(e.table_entry ?? {}), actionKey(e.table_entry ?? {})]));
  } finally {
    c.close();
  }
}
