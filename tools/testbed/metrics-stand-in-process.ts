// How the test bed starts its metrics stand-in (kept apart from the
// stand-in itself so that importing the test bed does not start servers).

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProcessRecord } from './state.js';

export function metricsStandInProcess(stateDir: string): ProcessRecord {
  const script = fileURLToPath(new URL('./metrics-stand-in.js', import.meta.url));
  return {
    role: 'metrics-stand-in',
    pid: null,
    command: process.execPath,
    // The state folder on the command line is also what marks the process as ours.
    args: [script, stateDir],
    env: {},
    log: join(stateDir, 'logs', 'metrics-stand-in.log'),
  };
}
