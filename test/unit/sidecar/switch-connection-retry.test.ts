// What the sidecar learnt from BMv2: a primary's arbitration status without
// a code, "no pipeline" answered FAILED_PRECONDITION, and a reconcile that
// keeps failing must back off instead of spinning.
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { P4RuntimeError } from '../../../src/p4/p4runtime-client.js';
import { arbitrationCode, meansNoPipeline } from '../../../src/sidecar/switch-connection.js';
import { Sidecar } from '../../../src/sidecar/sidecar.js';
import { SoftwareSwitch } from '../../../src/switch/p4runtime-server.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { DEVICE_CONFIG, P4INFO } from '../switch/switch-harness.js';

async function failedReconciles(s: Sidecar): Promise<number> {
  const m = await s.metrics.reconciles.get();
  return m.values.filter((v) => v.labels['result'] === 'error').reduce((n, v) => n + v.value, 0);
}

describe('sidecar/switch-connection: arbitration, missing pipeline, retry backoff, readiness', () => {
  it('reads an arbitration status without a code as OK (proto3 leaves 0 out), and no status as unknown', () => {
    assert.equal(arbitrationCode({ status: { message: 'Is primary' } }), grpc.status.OK);
    assert.equal(arbitrationCode({ status: { code: grpc.status.ALREADY_EXISTS } }), grpc.status.ALREADY_EXISTS);
    assert.equal(arbitrationCode({}), grpc.status.UNKNOWN);
  });

  it('reads FAILED_PRECONDITION "No forwarding pipeline config set" as "push the pipeline", other errors not', () => {
    assert.equal(
      meansNoPipeline(new P4RuntimeError(grpc.status.FAILED_PRECONDITION, 'No forwarding pipeline config set')),
      true,
    );
    assert.equal(meansNoPipeline(new P4RuntimeError(grpc.status.UNAVAILABLE, 'connection refused')), false);
    assert.equal(meansNoPipeline(new Error('No forwarding pipeline config set')), false);
  });

  describe('against a software switch', function () {
    this.timeout(15_000);
    let sw: SoftwareSwitch;
    let address: string;
    const sidecars: Sidecar[] = [];
    beforeEach(async () => {
      sw = new SoftwareSwitch({ deviceId: 1n });
      address = `127.0.0.1:${await sw.start('127.0.0.1:0')}`;
    });
    afterEach(() => {
      for (const s of sidecars.splice(0)) s.stop();
      sw.stop();
    });
    const start = (term: bigint, deviceConfig: Buffer, ordinal = 0n): Sidecar => {
      const s = new Sidecar({
        switches: [{ address, deviceId: '1' }],
        p4info: P4INFO,
        deviceConfig,
        election: { term, ordinal },
        log: () => {},
      });
      sidecars.push(s);
      s.start();
      return s;
    };

    it('retries a reconcile that keeps failing (pipeline refused) with growing pauses, not in a loop, and is not ready', async () => {
      // p4c's P4Info without the program's JSON: the switch refuses every push.
      const s = start(1n, Buffer.from('not the program'));
      await pollUntil('primary', () => s.connections[0]?.primary === true, { timeoutMs: 5000, everyMs: 20 });
      await s.setZoneEntries('z', 1, []);
      await new Promise((r) => setTimeout(r, 1600));
      const failures = await failedReconciles(s);
      // 100 + 200 + 400 + 800 ms of pauses: at most 5 attempts in 1.6 s (thousands without backoff).
      assert.ok(failures >= 2 && failures <= 5, `${failures} failed reconciles in 1.6 s`);
      assert.equal(s.ready(), false);
      assert.match(s.connections[0]?.message ?? '', /reconcile failed: INVALID_ARGUMENT: config cannot be realised/);
    });

    it('is ready only as a reconciled primary or as a backup behind a live primary', async () => {
      const primary = start(2n, DEVICE_CONFIG);
      await pollUntil('primary ready', () => primary.ready(), { timeoutMs: 5000, everyMs: 20 });
      assert.equal(primary.connections[0]?.primary, true);
      const backup = start(1n, DEVICE_CONFIG, 5n);
      await pollUntil('backup ready', () => backup.ready(), { timeoutMs: 5000, everyMs: 20 });
      assert.equal(backup.connections[0]?.primary, false);
      assert.equal(backup.connections[0]?.behindPrimary, true);
    });
  });
});
