// Starting and stopping the test bed's processes. They are detached so they
// outlive the `up` command, and are later found again by the PID in the
// state file; the PID alone could have been reused, so a process counts as
// ours only if its command line names our state folder.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import type { ProcessRecord } from './state.js';

export function startProcess(rec: ProcessRecord): number {
  const fd = openSync(rec.log, 'a');
  try {
    const child = spawn(rec.command, rec.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...minimalEnv(), ...rec.env },
    });
    if (child.pid === undefined) throw new Error(`could not start ${rec.command}`);
    // Reap it if it dies while we are still running, so it is not left a zombie.
    child.on('error', () => undefined);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** The servers need no secrets or proxies of ours; keep the environment small. */
function minimalEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const v = process.env[key];
    if (v !== undefined) env[key] = v;
  }
  return env;
}

/** Alive, not a zombie, and started by this test bed (its cmdline names `marker`). */
export function isOurs(pid: number | null, marker: string): boolean {
  if (pid === null) return false;
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    // Field 3 is the state; the command name in field 2 may hold spaces, so split after ')'.
    const state = readFileSync(stat, 'utf8').split(')').pop()?.trim().split(' ')[0];
    if (state === 'Z' || state === 'X') return false;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(marker);
  } catch {
    return false; // it exited between the two reads
  }
}

/** Resident set size in KiB, from /proc (undefined when gone). */
export function residentKiB(pid: number | null): number | undefined {
  if (pid === null) return undefined;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Proportional set size in KiB: RSS with pages shared between processes
 * (the binary's text, mapped by all nine API servers alike) divided among
 * them, so the sum over processes is the memory really in use.
 */
export function proportionalKiB(pid: number | null): number | undefined {
  if (pid === null) return undefined;
  try {
    const line = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Pss:'));
    return line ? Number(line.split(/\s+/)[1]) : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(pid: number | null, marker: string, graceMs = 10_000): Promise<void> {
  if (!isOurs(pid, marker) || pid === null) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurs(pid, marker)) return;
    await sleep(50);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  while (isOurs(pid, marker)) await sleep(50);
}
