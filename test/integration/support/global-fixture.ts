// Mocha global fixture for integration tests: the test bed comes up once
// per run, or an already running one is reused (scripts/test.sh starts it
// before mocha and stops it in a trap). A bed this fixture started itself
// is stopped again at the end, unless TESTBED_KEEP=1.

import { down, up } from '../../../tools/testbed/testbed.js';
import type { TestbedState } from '../../../tools/testbed/state.js';
import { readState } from '../../../tools/testbed/state.js';

let startedHere = false;
let current: TestbedState | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  startedHere = readState() === undefined;
  current = await up({ log: (m) => console.error(`[testbed] ${m}`) });
}

export async function mochaGlobalTeardown(): Promise<void> {
  if (startedHere && process.env['TESTBED_KEEP'] !== '1') await down({ log: (m) => console.error(`[testbed] ${m}`) });
}

/** The running test bed (tests are loaded after the global setup ran). */
export function testbed(): TestbedState {
  const state = current ?? readState();
  if (!state) throw new Error('the test bed is not up: the global fixture did not run');
  return state;
}
