#!/usr/bin/env node
// The container image's one entrypoint: `zonekeeper <program> [flags]` runs
// one of the programs the image carries, in this process (one Node per
// container, no child to supervise):
//
//   operator  dist/src/operator/main.js   the controllers, leader election, /metrics
//   sidecar   dist/src/sidecar/main.js    the P4Runtime client that programs switches
//   gateway   dist/src/gateway/main.js    the REST gateway
//   switch    dist/src/switch/main.js     the software P4Runtime switch
//   zonectl   dist/src/cli/zonectl.js     the offline planner
//
// In a container this process is PID 1, and the kernel gives PID 1 no
// default action for SIGTERM or SIGINT: a program without a handler of its
// own would ignore `kubectl delete pod` until the grace period ends and it
// is killed. The handlers below exit at once when they are the only ones;
// a program that stops gracefully (the operator finishes the reconciles in
// flight and gives its lease up) has its own handler and is left to it.

import { fileURLToPath } from 'node:url';

const PROGRAMS: Readonly<Record<string, string>> = {
  operator: '../operator/main.js',
  sidecar: '../sidecar/main.js',
  gateway: '../gateway/main.js',
  switch: '../switch/main.js',
  zonectl: '../cli/zonectl.js',
};

const SIGNAL_EXIT_CODES = { SIGTERM: 143, SIGINT: 130 } as const;

for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) {
  process.on(signal, () => {
    if (process.listenerCount(signal) === 1) process.exit(code);
  });
}

const [program, ...args] = process.argv.slice(2);
const target = program === undefined ? undefined : PROGRAMS[program];
if (target === undefined) {
  const known = Object.keys(PROGRAMS).join(', ');
  process.stderr.write(
    program === undefined || program === '--help'
      ? `usage: zonekeeper <program> [flags]; programs: ${known}\n`
      : `zonekeeper: unknown program "${program}"; programs: ${known}\n`,
  );
  process.exit(program === '--help' ? 0 : 2);
}
const url = new URL(target, import.meta.url);
// The programs read their flags from process.argv, and the operator runs
// only when it is the script named in argv[1].
process.argv = [process.argv[0], fileURLToPath(url), ...args];
await import(url.href);
