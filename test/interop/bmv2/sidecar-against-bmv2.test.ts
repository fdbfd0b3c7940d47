// The sidecar against the reference P4 target, BMv2 simple_switch_grpc,
// exactly as against the software switch: pipeline push, arbitration, the
// paper's zones programmed and read back, re-sync after a switch restart.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { planP4Entries, type ZoneP4Entries } from '../../../src/core/network/p4-entries.js';
import { P4RuntimeClient } from '../../../src/p4/p4runtime-client.js';
import type { Sidecar } from '../../../src/sidecar/sidecar.js';
import { SoftwareSwitch } from '../../../src/switch/p4runtime-server.js';
import { Bmv2Process } from '../../../tools/harness/bmv2-process.js';
import type { P4Toolchain } from '../../../tools/harness/p4-toolchain.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { PAPER_PLANS, PORTS } from '../../unit/p4/paper-zone-plans.js';
import { LOG_DIR, readBack, startSidecar, toolchainOrSkip } from './bmv2-fixture.js';

const plan = (): ZoneP4Entries[] => planP4Entries(PAPER_PLANS, PORTS).zones;

async function programPaperZones(s: Sidecar): Promise<void> {
  await pollUntil('sidecar ready', () => s.ready(), { timeoutMs: 20_000, everyMs: 50 });
  const statuses = await s.setZones(plan().map((z) => ({ zone: z.zone, generation: 1, entries: z.entries })));
  for (const st of statuses) assert.equal(st.programmed, true, `${st.zone}: ${st.reason} ${st.message}`);
}

describe('sidecar against BMv2 simple_switch_grpc', function () {
  this.timeout(90_000);
  let toolchain: P4Toolchain;
  let bmv2: Bmv2Process | undefined;
  const sidecars: Sidecar[] = [];

  before(function () {
    toolchain = toolchainOrSkip(this, 'BMv2 sidecar tests');
  });
  beforeEach(async () => {
    bmv2 = await Bmv2Process.start({ toolchain, logFile: join(LOG_DIR, 'bmv2.log') });
  });
  afterEach(async () => {
    for (const s of sidecars.splice(0)) s.stop();
    await bmv2?.kill();
  });

  const sidecar = (term = 1n, ordinal = 0n): Sidecar => {
    const s = startSidecar((bmv2 as Bmv2Process).address, term, ordinal);
    sidecars.push(s);
    return s;
  };

  it('becomes primary, pushes the pipeline once (BMv2 started without one) and is ready', async () => {
    const s = sidecar();
    await pollUntil('ready', () => s.ready(), { timeoutMs: 20_000, everyMs: 50 });
    assert.equal(s.connections[0]?.primary, true);
    const pushes = (await s.metrics.pipelinePushes.get()).values.reduce((n, v) => n + v.value, 0);
    assert.equal(pushes, 1);
    const c = new P4RuntimeClient((bmv2 as Bmv2Process).address);
    try {
      const got = await c.getPipeline({ device_id: '1', response_type: 'COOKIE_ONLY' });
      assert.equal(got.config?.cookie?.cookie, s.pipeline.cookie?.cookie);
    } finally {
      c.close();
    }
  });

  it('makes a later leader term primary and the earlier sidecar a ready backup', async () => {
    const first = sidecar(1n);
    await pollUntil('first ready', () => first.ready(), { timeoutMs: 20_000, everyMs: 50 });
    const second = sidecar(2n);
    await pollUntil('second primary', () => second.connections[0]?.primary === true && second.ready(), {
      timeoutMs: 20_000,
      everyMs: 50,
    });
    await pollUntil('first demoted', () => first.connections[0]?.primary === false, { timeoutMs: 10_000, everyMs: 50 });
    assert.equal(first.connections[0]?.behindPrimary, true);
    assert.equal(first.ready(), true);
  });

  it('programs the paper zones; BMv2 reads back exactly the plan, and the same entries as the software switch', async () => {
    const s = sidecar();
    await programPaperZones(s);
    const onBmv2 = await readBack((bmv2 as Bmv2Process).address);
    assert.equal(onBmv2.length, s.desired.size());

    const sw = new SoftwareSwitch({ deviceId: 1n });
    const port = await sw.start('127.0.0.1:0');
    const onSoftware = startSidecar(`127.0.0.1:${port}`);
    try {
      await programPaperZones(onSoftware);
      const soft = await readBack(`127.0.0.1:${port}`);
      assert.deepEqual(onBmv2, soft);
    } finally {
      onSoftware.stop();
      sw.stop();
    }
  });

  it('re-syncs a restarted BMv2: pipeline pushed again and every entry back', async () => {
    const s = sidecar();
    await programPaperZones(s);
    const before = await readBack((bmv2 as Bmv2Process).address);
    const port = (bmv2 as Bmv2Process).grpcPort;
    await bmv2?.kill();
    bmv2 = await Bmv2Process.start({ toolchain, logFile: join(LOG_DIR, 'bmv2.log'), grpcPort: port });
    await pollUntil(
      'entries back on the restarted BMv2',
      async () => {
        const now = await readBack((bmv2 as Bmv2Process).address).catch(() => []);
        return now.length === before.length || undefined;
      },
      { timeoutMs: 30_000, everyMs: 200 },
    );
    assert.deepEqual(await readBack(bmv2.address), before);
    await pollUntil('ready again', () => s.ready(), { timeoutMs: 10_000, everyMs: 50 });
    const pushes = (await s.metrics.pipelinePushes.get()).values.reduce((n, v) => n + v.value, 0);
    assert.equal(pushes, 2);
  });
});
