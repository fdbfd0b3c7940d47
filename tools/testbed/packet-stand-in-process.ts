// How the test bed starts its packet stand-in (kept apart from the stand-in
// itself so that importing the test bed does not start a loop).

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProcessRecord } from './state.js';

export function packetStandInProcess(stateDir: string, portsFile: string): ProcessRecord {
  const script = fileURLToPath(new URL('./packet-stand-in.js', import.meta.url));
  return {
    role: 'packet-stand-in',
    pid: null,
    command: process.execPath,
    // The state folder on the command line is also what marks the process as ours.
    args: [script, stateDir, portsFile],
    env: {},
    log: join(stateDir, 'logs', 'packet-stand-in.log'),
  };
}
