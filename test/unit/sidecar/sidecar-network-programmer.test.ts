import assert from 'node:assert/strict';
import { serveSidecarApi } from '../../../src/sidecar/sidecar-server.js';
import { sidecarNetworkProgrammer } from '../../../src/sidecar/sidecar-network-programmer.js';
import { Sidecar } from '../../../src/sidecar/sidecar.js';
import { SoftwareSwitch } from '../../../src/switch/p4runtime-server.js';
import { PAPER_PLANS, PORTS } from '../p4/paper-zone-plans.js';
import { P4INFO } from '../switch/switch-harness.js';

describe('sidecar as the operator NetworkProgrammer', function () {
  this.timeout(20_000);

  it('programs a zone plan, reports NetworkReady from the sidecar, and removes the zone', async () => {
    const sw = new SoftwareSwitch({ deviceId: 1n });
    const port = await sw.start('127.0.0.1:0');
    const sidecar = new Sidecar({ switches: [{ address: `127.0.0.1:${port}`, deviceId: '1' }], p4info: P4INFO, deviceConfig: Buffer.alloc(0), election: { term: 1n, ordinal: 0n }, log: () => {} });
    sidecar.start();
    const api = await serveSidecarApi(sidecar, '127.0.0.1:0');
    const np = sidecarNetworkProgrammer(`127.0.0.1:${api.port}`, PORTS);
    try {
      const deadline = Date.now() + 10_000;
      while (!sidecar.connections[0]?.synced && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const plan = PAPER_PLANS[0];
      assert.ok(plan);
      const r = await np.program(plan);
      assert.equal(r.ok, true, r.message);
      assert.ok((sw.tables?.entryCount() ?? 0) > 0);
      const bad = await np.program({ ...plan, applicationId: 'other', instances: plan.instances.slice(0, 1).map((i) => ({ ...i, provider: 'Nowhere' })) });
      assert.equal(bad.ok, false);
      assert.match(bad.message, /Nowhere has no switch port/);
      await np.remove(plan.applicationId);
      assert.equal(sw.tables?.entryCount(), 0);
    } finally {
      np.close();
      api.server.forceShutdown();
      sidecar.stop();
      sw.stop();
    }
  });
});
