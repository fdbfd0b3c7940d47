// The data plane of a deployment as real processes, for the operator's
// integration tests: the project's software P4Runtime switch and the
// sidecar, each a `node dist/...` child with its output in the test bed's
// logs, plus a plain P4Runtime reader for what the switch really holds.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { actionKey, entryKey } from '../../../src/p4/entry-keys.js';
import { translateEntry } from '../../../src/p4/entry-translator.js';
import { P4InfoIndex, readP4InfoFile } from '../../../src/p4/p4info.js';
import { P4RuntimeClient } from '../../../src/p4/p4runtime-client.js';
import type { PlannedEntry } from '../../../src/core/network/p4-entries.js';
import { repoRoot } from '../../../tools/testbed/paths.js';

export const P4INFO_FILE = join(repoRoot(), 'p4', 'zone_switch.p4info.txtpb');

export class NodeChild {
  private constructor(readonly name: string, private readonly child: ChildProcess, readonly exited: Promise<void>) {}

  /** Starts `node dist/<script> args` and resolves with the first stdout match of `ready`. */
  static start(name: string, script: string, args: string[], ready: RegExp, logFile: string): Promise<{ proc: NodeChild; match: RegExpExecArray }> {
    const log = createWriteStream(logFile, { flags: 'a' });
    // A log that cannot be written must not fail whichever test runs then.
    log.on('error', (err) => console.error(`[operator-it] ${name} log ${logFile}: ${err.message}`));
    const child = spawn(process.execPath, [join(repoRoot(), 'dist', script), ...args], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    // 'close', not 'exit': output still in the pipes may be read after 'exit',
    // and a write to the ended log would be an uncaught error in mocha.
    const exited = new Promise<void>((resolve) => child.once('close', () => { log.end(); resolve(); }));
    const proc = new NodeChild(name, child, exited);
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${name} did not start within 30 s; see ${logFile}`)); }, 30_000);
      child.stdout?.on('data', (d: Buffer) => {
        log.write(d);
        out += d.toString();
        const m = ready.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve({ proc, match: m });
        }
      });
      child.stderr?.on('data', (d: Buffer) => log.write(d));
      child.once('exit', (code, sig) => { clearTimeout(timer); reject(new Error(`${name} exited (code ${code}, signal ${sig}) before it was ready; see ${logFile}`)); });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}

export async function startSwitch(logDir: string): Promise<{ proc: NodeChild; address: string }> {
  const { proc, match } = await NodeChild.start('zone-switch', 'src/switch/main.js', ['--port', '0', '--device-id', '1'], /listening on ([\d.]+:\d+)/, join(logDir, 'it-zone-switch.log'));
  return { proc, address: match[1] as string };
}

/** `listen` 127.0.0.1:0 picks a port; a restart passes the port it had, so the operator finds it again. */
export async function startSidecar(logDir: string, switchAddress: string, listen = '127.0.0.1:0'): Promise<{ proc: NodeChild; address: string }> {
  const { proc, match } = await NodeChild.start('zone-sidecar', 'src/sidecar/main.js', [
    // The election id as deployed: the flags' default (term 0, a random ordinal) until the operator's SetElection.
    '--switch', `${switchAddress}@1`, '--p4info', P4INFO_FILE, '--listen', listen, '--http', '127.0.0.1:0',
  ], /listening on ([\d.]+:\d+) http/, join(logDir, 'it-zone-sidecar.log'));
  return { proc, address: match[1] as string };
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

/** Every table entry on the switch (a P4Runtime wildcard read), as key -> action. */
export async function readSwitch(address: string): Promise<Map<string, string>> {
  const c = new P4RuntimeClient(address);
  try {
    const ents = await c.read({ device_id: '1', entities: [{ table_entry: {} }] });
    return new Map(ents.map((e) => [entryKey(e.table_entry ?? {}), actionKey(e.table_entry ?? {})]));
  } finally {
    c.close();
  }
}
