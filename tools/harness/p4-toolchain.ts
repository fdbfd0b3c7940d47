// Finds the P4 reference toolchain (BMv2 simple_switch_grpc, p4c-bm2-ss) for
// the tests and benchmarks that run the real target: $P4_TOOLCHAIN, then
// ../shared/p4-toolchain beside the clone (where CI puts it), then PATH.
// When it is missing or cannot run, the caller skips its BMv2 tests and the
// test summary says why (summaryNote).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { repoRoot } from '../testbed/paths.js';

export interface P4Toolchain {
  simpleSwitch: string;
  p4c: string;
  /** The environment to run both with (include path for p4c). */
  env: NodeJS.ProcessEnv;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const file = join(dir, name);
    if (dir !== '' && existsSync(file)) return file;
  }
  return undefined;
}

/**
 * A copy of the toolchain that lost its symlinks holds each `lib/libX.so.0`
 * as a small text file naming its target, which the loader rejects ("file
 * too short"). Such a copy still runs with a folder of real links in front
 * of it on LD_LIBRARY_PATH (searched before the binaries' RUNPATH).
 */
function libraryLinks(dir: string): string | undefined {
  const lib = join(dir, 'lib');
  const flattened = readdirSync(lib).filter(
    (f) => /\.so\.\d+$/.test(f) && lstatSync(join(lib, f)).isFile() && lstatSync(join(lib, f)).size < 256,
  );
  if (flattened.length === 0) return undefined;
  const links = join(tmpdir(), `zonekeeper-p4-libs-${createHash('sha256').update(lib).digest('hex').slice(0, 12)}`);
  mkdirSync(links, { recursive: true });
  for (const f of flattened) {
    const target = readFileSync(join(lib, f), 'utf8').trim();
    if (!existsSync(join(links, f))) symlinkSync(join(lib, target), join(links, f));
  }
  return links;
}

function locate(): P4Toolchain | string {
  const candidates = [process.env['P4_TOOLCHAIN'], resolve(repoRoot(), '..', 'shared', 'p4-toolchain')];
  for (const dir of candidates) {
    if (!dir || !existsSync(join(dir, 'bin', 'simple_switch_grpc'))) continue;
    const env: NodeJS.ProcessEnv = { ...process.env, P4C_16_INCLUDE_PATH: join(dir, 'share', 'p4c', 'p4include') };
    const links = libraryLinks(dir);
    if (links) env['LD_LIBRARY_PATH'] = [links, process.env['LD_LIBRARY_PATH']].filter(Boolean).join(delimiter);
    return { simpleSwitch: join(dir, 'bin', 'simple_switch_grpc'), p4c: join(dir, 'bin', 'p4c-bm2-ss'), env };
  }
  const simpleSwitch = onPath('simple_switch_grpc');
  const p4c = onPath('p4c-bm2-ss');
  if (simpleSwitch && p4c) return { simpleSwitch, p4c, env: { ...process.env } };
  return 'no P4 toolchain (set P4_TOOLCHAIN, place it at ../shared/p4-toolchain, or put simple_switch_grpc and p4c-bm2-ss on PATH)';
}

let found: P4Toolchain | string | undefined;

/** The toolchain, or why there is none (also when a binary cannot start, e.g. missing libraries). */
export function findP4Toolchain(): P4Toolchain | string {
  if (found !== undefined) return found;
  const t = locate();
  if (typeof t === 'string') return (found = t);
  for (const bin of [t.simpleSwitch, t.p4c]) {
    const r = spawnSync(bin, ['--version'], { env: t.env, encoding: 'utf8', timeout: 20_000 });
    if (r.status !== 0)
      return (found = `${bin} does not run: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`);
  }
  return (found = t);
}

const NOTES = Symbol.for('zonekeeper.summaryNotes');

/** A line for the end of the test summary (test/support/summary-reporter.cjs), once per text. */
export function summaryNote(text: string): void {
  const g = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  const notes = g[NOTES] ?? new Set<string>();
  notes.add(text);
  g[NOTES] = notes;
}
