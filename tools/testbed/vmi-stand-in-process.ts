// How the test bed starts its VMI stand-in (kept apart from the stand-in
// itself so that importing the test bed does not start a loop).

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProcessRecord } from './state.js';

export function vmiStandInProcess(stateDir: string): ProcessRecord {
  const script = fileURLToPath(new URL('./vmi-stand-in.js', import.meta.url));
  return {
    role: 'vmi-stand-in',
    pid: null,
    command: process.execPath,
    // The state folder on the command line is also what marks the process as ours.
    args: [script, stateDir],
    env: {},
    log: join(stateDir, 'logs', 'vmi-stand-in.log'),
  };
}
