// The switch path's trust boundary, attacked as deployed: the software
// switch and the sidecar as processes serving mutual TLS with certificates
// of one CA, the operator's side played by a client with the operator's
// certificate. Whoever reaches the switch or sidecar port without a
// certificate of that CA (none, plaintext, another CA's, an expired one)
// is refused at the handshake and changes nothing; a trusted controller
// that is not primary is refused its writes, counted and logged by the
// switch; and rotating the sidecar's certificate while zones are
// programmed loses no entry and refuses no write. BMv2 is attacked the
// same way when the P4 toolchain is there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { planP4Entries } from '../../../src/core/network/p4-entries.js';
import { P4RuntimeClient } from '../../../src/p4/p4runtime-client.js';
import type { Entity } from '../../../src/p4/p4runtime-types.js';
import { type GrpcSecurity, mutualTls, PLAINTEXT, readTlsSet } from '../../../src/runtime/grpc-tls.js';
import { SidecarClient } from '../../../src/sidecar/sidecar-client.js';
import { Bmv2Process } from '../../../tools/harness/bmv2-process.js';
import { findP4Toolchain, summaryNote } from '../../../tools/harness/p4-toolchain.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { requireState } from '../../../tools/testbed/state.js';
import { PORTS, syntheticPlan } from '../../unit/p4/paper-zone-plans.js';
import {
  dataPlanePki,
  type NodeChild,
  operatorSidecarClient,
  readerSecurity,
  readSwitch,
  startSidecar,
  startDataPlane,
  tlsDirOf,
} from '../operator/p4-processes.js';

/** Entries of a zone of two instances on VLAN `vlan`, as the operator would hand them over. */
const zoneEntries = (vlan: number) => {
  const z = planP4Entries([syntheticPlan(vlan)], PORTS).zones[0];
  if (!z) throw new Error(`no entries planned for VLAN ${vlan}`);
  return z;
};

const UNAVAILABLE = (e: Error & { code?: number }): boolean => {
  assert.equal(e.code, grpc.status.UNAVAILABLE, `refused at the handshake (UNAVAILABLE) expected, got ${e.message}`);
  return true;
};

/** The serial number of the certificate a TLS server presents to a new connection. */
function servedSerial(address: string, client: string): Promise<string> {
  const [host, port] = [
    address.slice(0, address.lastIndexOf(':')),
    Number(address.slice(address.lastIndexOf(':') + 1)),
  ];
  const set = readTlsSet(client);
  return new Promise((resolve, reject) => {
    const s = connect(
      { host, port, servername: 'localhost', ca: set.ca, cert: set.cert, key: set.key, ALPNProtocols: ['h2'] },
      () => {
        resolve(s.getPeerCertificate().serialNumber);
        s.destroy();
      },
    );
    s.once('error', reject);
  });
}

describe('security: mutual TLS and a pinned primary on the switch path', function () {
  this.timeout(120_000);
  const logDir = (): string => join(requireState().dir, 'logs');
  let sw: NodeChild | undefined;
  let sidecar: NodeChild | undefined;
  let switchAddress = '';
  let switchMetrics = '';
  let sidecarAddress = '';
  let operator: SidecarClient;
  /** An entry of the programmed zone, the attackers' target. */
  let victim: Entity;
  const closers: (() => void)[] = [];
  /** Client credentials of an attacker, by kind. */
  const attackers = (): [string, GrpcSecurity][] => {
    const pki = dataPlanePki();
    const own = (name: string, o: Parameters<typeof pki.issue>[1]): GrpcSecurity => {
      const s = mutualTls(pki.issue(name, o));
      closers.push(() => s.close());
      return s;
    };
    const anonymous: GrpcSecurity = {
      ...PLAINTEXT,
      tls: true,
      channel: () => grpc.credentials.createSsl(readFileSync(pki.caFile)),
    };
    return [
      ['no certificate (TLS that trusts the CA)', anonymous],
      ['plaintext', PLAINTEXT],
      ['a certificate from another CA', own('rogue-attacker', { signer: 'rogue' })],
      ['an expired certificate of the right CA', own('expired-attacker', { days: -1 })],
    ];
  };

  before(async () => {
    ({ sw, switchAddress, sidecar, sidecarAddress, switchMetrics } = await startDataPlane(logDir()));
    operator = operatorSidecarClient(sidecarAddress);
    await operator.setElection(7n, 0n);
    const z = zoneEntries(3001);
    const st = await operator.setZoneEntries(z.zone, 1, z.entries);
    assert.equal(st.programmed, true, `the zone is programmed over mutual TLS: ${st.message ?? ''}`);
    const reader = new P4RuntimeClient(switchAddress, { security: readerSecurity() });
    try {
      const [first] = await reader.read({ device_id: '1', entities: [{ table_entry: {} }] });
      assert.ok(first, 'the switch holds the zone');
      victim = first;
    } finally {
      reader.close();
    }
  });

  after(async () => {
    operator?.close();
    for (const c of closers) c();
    await sidecar?.kill('SIGTERM');
    await sw?.kill('SIGTERM');
  });

  for (const i of [0, 1, 2, 3]) {
    it(`the switch refuses attacker ${i + 1}: ${['no certificate', 'plaintext', 'another CA', 'expired'][i]}`, async () => {
      const [what, security] = attackers()[i] ?? ['', PLAINTEXT];
      const before = await readSwitch(switchAddress);
      const c = new P4RuntimeClient(switchAddress, { timeoutMs: 3000, security });
      try {
        await assert.rejects(c.capabilities('1'), UNAVAILABLE, what);
        // The attack itself: with an election id above the sidecar's, erase an entry of the zone.
        const stream = c.openStream('1', { high: '99', low: '0' });
        await assert.rejects(stream.next(3000), UNAVAILABLE, what);
        stream.end();
        await assert.rejects(
          c.write({
            device_id: '1',
            election_id: { high: '99', low: '0' },
            updates: [{ type: 'DELETE', entity: victim }],
          }),
          UNAVAILABLE,
        );
      } finally {
        c.close();
      }
      assert.deepEqual(await readSwitch(switchAddress), before, 'the switch holds what it held');
    });

    it(`the sidecar refuses attacker ${i + 1}: ${['no certificate', 'plaintext', 'another CA', 'expired'][i]}`, async () => {
      const [what, security] = attackers()[i] ?? ['', PLAINTEXT];
      const c = new SidecarClient(sidecarAddress, 3000, security);
      try {
        await assert.rejects(c.getZoneStatus(), UNAVAILABLE, what);
        await assert.rejects(c.deleteZone(zoneEntries(3001).zone), UNAVAILABLE, what);
        await assert.rejects(c.setElection(1000n, 0n), UNAVAILABLE, what);
      } finally {
        c.close();
      }
      const st = (await operator.getZoneStatus(zoneEntries(3001).zone)).zones?.[0];
      assert.equal(st?.programmed, true, 'the zone is still programmed');
    });
  }

  it('refuses the writes of a trusted controller that is not primary, and counts and logs them', async () => {
    const before = await readSwitch(switchAddress);
    const c = new P4RuntimeClient(switchAddress, { timeoutMs: 5000, security: readerSecurity() });
    // Below the sidecar's election id (7, 0): a backup.
    const stream = c.openStream('1', { high: '0', low: '5' });
    try {
      const arb = await stream.next();
      assert.equal(arb.status?.code ?? 0, grpc.status.ALREADY_EXISTS, 'a backup, told who is primary');
      await assert.rejects(
        c.write({
          device_id: '1',
          election_id: { high: '0', low: '5' },
          updates: [{ type: 'DELETE', entity: victim }],
        }),
        (e: Error & { code?: number }) => e.code === grpc.status.PERMISSION_DENIED,
      );
    } finally {
      stream.end();
      c.close();
    }
    assert.deepEqual(await readSwitch(switchAddress), before, 'nothing deleted');
    const log = readFileSync(join(logDir(), 'it-zone-switch.log'), 'utf8');
    const refused = log
      .split('\n')
      .filter((l) => l.includes('write refused: not the primary controller'))
      .map((l) => JSON.parse(l) as { subject: string; electionId: string; rpc: string });
    assert.ok(
      refused.some((r) => r.subject === 'reader' && r.electionId === '0:5' && r.rpc === 'Write'),
      `the switch logged the refused write with the certificate's subject: ${JSON.stringify(refused)}`,
    );
    const metrics = await (await fetch(`http://${switchMetrics}/metrics`)).text();
    assert.match(metrics, /^zone_switch_writes_refused_total\{rpc="Write"\} [1-9]/m, 'and counted it');
  });

  it("rotates the sidecar's certificate while zones are programmed: no entry lost, no write refused", async () => {
    const dir = tlsDirOf('zone-sidecar');
    const probe = tlsDirOf('operator');
    const old = await servedSerial(sidecarAddress, probe);
    const held = await readSwitch(switchAddress);
    dataPlanePki().rotate(dir, 'zone-sidecar');
    const z = zoneEntries(3002);
    // Writes go on while the sidecar picks the new pair up (it reads the folder every 10 s).
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await operator.setZoneEntries(z.zone, i + 1, z.entries));
    await pollUntil(
      'the sidecar serves its new certificate',
      async () => ((await servedSerial(sidecarAddress, probe)) !== old ? true : undefined),
      { timeoutMs: 30_000, everyMs: 500 },
    );
    statuses.push(await operator.setZoneEntries(z.zone, 9, z.entries));
    assert.ok(
      statuses.every((s) => s.programmed === true),
      `every write taken: ${JSON.stringify(statuses)}`,
    );
    // The connection opened with the old certificate still works; a new one uses the new certificate.
    const fresh = operatorSidecarClient(sidecarAddress);
    try {
      assert.equal((await fresh.getZoneStatus(z.zone)).zones?.[0]?.programmed, true);
    } finally {
      fresh.close();
    }
    const after = await readSwitch(switchAddress);
    for (const [k, v] of held) assert.equal(after.get(k), v, `entry ${k} kept`);
    assert.ok(after.size > held.size, "and the new zone's entries are there");
  });

  it('BMv2 serving mutual TLS takes the sidecar and refuses the attackers', async function () {
    const toolchain = findP4Toolchain();
    if (typeof toolchain === 'string') {
      summaryNote(`switch-tls BMv2 case not run: ${toolchain}`);
      this.skip();
    }
    const bmv2 = await Bmv2Process.start({
      toolchain,
      logFile: join(logDir(), 'it-tls-bmv2.log'),
      tls: { dir: tlsDirOf('bmv2'), probe: readerSecurity() },
    });
    let side: NodeChild | undefined;
    let client: SidecarClient | undefined;
    try {
      for (const [what, security] of attackers()) {
        const c = new P4RuntimeClient(bmv2.address, { timeoutMs: 3000, security });
        try {
          await assert.rejects(c.capabilities('1'), UNAVAILABLE, what);
        } finally {
          c.close();
        }
      }
      const started = await startSidecar(logDir(), bmv2.address);
      side = started.proc;
      client = operatorSidecarClient(started.address);
      await client.setElection(3n, 0n);
      const z = zoneEntries(3003);
      const st = await pollUntil(
        'the sidecar programs BMv2 over mutual TLS',
        async () => {
          const s = await client?.setZoneEntries(z.zone, 1, z.entries);
          return s?.programmed ? s : undefined;
        },
        { timeoutMs: 30_000, everyMs: 500 },
      );
      assert.equal(st.programmed, true);
      assert.equal((await readSwitch(bmv2.address)).size, z.entries.length);
    } finally {
      client?.close();
      await side?.kill('SIGTERM');
      await bmv2.kill();
    }
  });
});
