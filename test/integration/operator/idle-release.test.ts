// A ZoneRelease with the `idle` trigger on the real test bed: the operator
// and the sidecar as processes (mutual TLS on both hops), the software
// switch in this process so the test can put frames through its pipeline
// (the switch process has no way to receive frames): packets counted by
// the switch keep the release waiting, and once the zone's VLAN is quiet
// for the duration the release fires, says so in an Event with the count,
// and releases the whole zone.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionZone, ZoneRelease } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import type { SwitchPortMap } from '../../../src/core/network/p4-entries.js';
import { ZONE_RELEASES } from '../../../src/core/api/resources.js';
import { mutualTls } from '../../../src/runtime/grpc-tls.js';
import { type KubeObject, resourcePath } from '../../../src/runtime/kube-client.js';
import { buildFrame } from '../../../src/switch/frame.js';
import { SoftwareSwitch } from '../../../src/switch/p4runtime-server.js';
import { apply, deleteIfExists } from '../../../tools/harness/apply.js';
import { waitReleaseDone, waitZoneReady } from '../../../tools/harness/hub-reads.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { paperScenario } from '../../../tools/harness/paper-scenario.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { requireState } from '../../../tools/testbed/state.js';
import { deleteAllZones, foreignZones, install, type Installed, leadingOperator } from './operator-fixture.js';
import { type NodeChild, startSidecar, tlsDirOf } from './p4-processes.js';

const NS = 'it-idle';
const ZONE = '755b94a1-2847-4bb8-b530-cfca97404f51'; // the paper's first zone, on Fog1
const FOG1_PORT = 1;
const PORTS: SwitchPortMap = {
  trunkPort: 0,
  providerPorts: { Fog1: FOG1_PORT, Fog2: 2, PrivateCloud2: 4, PublicCloud1: 5, PublicCloud2: 6, PublicCloud3: 7 },
};

interface ReleaseEvent extends KubeObject {
  reason?: string;
  note?: string;
  regarding?: { name?: string; uid?: string };
}

describe('operator: a ZoneRelease that waits for network idleness, counted by the switch, live', function () {
  this.timeout(300_000);
  let env: Installed;
  let op: OperatorProcess | undefined;
  let sidecar: NodeChild | undefined;
  const sw = new SoftwareSwitch({ deviceId: 1n });

  before(async () => {
    env = await install();
    assert.deepEqual(
      (await foreignZones(env.hub, [NS])).map((z) => z.metadata.name),
      [],
      'zones of other namespaces would be programmed on this switch too',
    );
    // A release left by an earlier run would be final already.
    await deleteIfExists(env.hub, 'ZoneRelease', 'when-quiet', NS);
    const port = await sw.start('127.0.0.1:0', mutualTls(tlsDirOf('zone-switch')));
    const logDir = join(requireState().dir, 'logs');
    const sc = await startSidecar(logDir, `127.0.0.1:${port}`);
    sidecar = sc.proc;
    const portsFile = join(requireState().dir, 'it-idle-switch-ports.json');
    writeFileSync(portsFile, JSON.stringify(PORTS));
    op = await leadingOperator(env, 'it-idle', [NS], {
      sidecar: sc.address,
      sidecarTlsDir: tlsDirOf('operator'),
      switchPorts: portsFile,
    });
  });

  after(async () => {
    await deleteIfExists(env.hub, 'ZoneRelease', 'when-quiet', NS).catch(() => undefined);
    if (env && op?.running)
      await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[idle-it] cleanup: ${String(e)}`));
    await op?.kill('SIGTERM');
    await sidecar?.kill('SIGTERM');
    sw.stop();
  });

  it('waits while the zone sends packets, then releases the whole zone once its VLAN was quiet for idle.for', async () => {
    const step = paperScenario(join(repoRoot(), 'examples', 'paper', 'messages.json'), NS).find(
      (s) => s.kind === 'zone' && s.zone.spec.applicationId === ZONE,
    );
    assert.ok(step?.kind === 'zone');
    await apply(env.hub, step.zone);
    const z: ExecutionZone = await waitZoneReady(env.hub, NS, ZONE, 120_000);
    assert.equal(getCondition(z.status?.conditions, 'NetworkReady')?.reason, 'Programmed');
    const vlanId = z.status?.vlanId;
    assert.ok(vlanId !== undefined);
    const frame = buildFrame({
      dstMac: '02:ff:00:00:00:01',
      srcMac: '02:00:00:00:00:05',
      vlanId,
      ipv6: { src: 'fd00::5', dst: 'fd00::1' },
    });
    const send = (): void => {
      const r = sw.processFrame(frame, FOG1_PORT);
      // Dropped later (no ACL for fd00::1) or not, it passed zone_mark: it is the zone's traffic.
      assert.ok(r.verdict === 'forward' || r.stage !== 'ZoneIngress.zone_admit', JSON.stringify(r));
    };

    const created = Date.now();
    await apply<ZoneRelease>(env.hub, {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ZoneRelease',
      metadata: { name: 'when-quiet', namespace: NS },
      spec: { zoneRef: { name: ZONE }, trigger: { idle: { for: '20s' } } },
    });
    const read = (): Promise<ZoneRelease> => env.hub.get<ZoneRelease>(resourcePath(ZONE_RELEASES, NS, 'when-quiet'));

    // 30 s of traffic, longer than idle.for: the release must keep waiting and see the packets.
    let sent = 0;
    let lastSent = 0;
    while (Date.now() - created < 30_000) {
      send();
      lastSent = Date.now();
      sent++;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const waiting = await pollUntil(
      'the release saw packets',
      async () => {
        const r = await read();
        return r.status?.phase === 'Waiting' && Number(r.status.observed?.packets ?? '0') > 0 ? r : undefined;
      },
      { timeoutMs: 15_000, everyMs: 500 },
    );
    assert.equal(waiting.status?.phase, 'Waiting', 'traffic for longer than idle.for: not released');
    assert.ok(
      Date.parse(waiting.status?.observed?.lastPacketTime ?? '') > created,
      'lastPacketTime moved with traffic',
    );

    const done = await waitReleaseDone(env.hub, NS, 'when-quiet', 90_000);
    assert.equal(done.status?.phase, 'Succeeded', JSON.stringify(done.status?.conditions));
    assert.equal(done.status?.observed?.packets, String(sent), 'every packet sent was counted, and no other');
    assert.equal(done.status?.observed?.bytes, String(sent * frame.length));
    const fired = Date.parse(done.status?.releaseTime ?? '');
    assert.ok(fired - lastSent >= 20_000, `fired ${fired - lastSent} ms after the last packet: not before idle.for`);

    const events = (await env.hub.list<ReleaseEvent>(`/apis/events.k8s.io/v1/namespaces/${NS}/events`)).items.filter(
      // This object's, not those of an earlier run's release of the same name.
      (e) => e.regarding?.uid === done.metadata.uid && e.reason === 'TriggerFired',
    );
    assert.equal(events.length, 1, JSON.stringify(events.map((e) => e.note)));
    assert.match(
      events[0]?.note ?? '',
      new RegExp(
        `^idle: no packet in the zone's VLAN since .* \\(\\d+s, at least 20s\\); ${sent} packets, ${sent * frame.length} bytes counted: releasing the whole zone$`,
      ),
    );
    const after = await pollUntil(
      'zone released',
      async () => {
        const zz = await env.hub.get<ExecutionZone>(
          `/apis/zonekeeper.io/v1alpha1/namespaces/${NS}/executionzones/${ZONE}`,
        );
        return getCondition(zz.status?.conditions, 'Released')?.status === 'True' ? zz : undefined;
      },
      { timeoutMs: 60_000, everyMs: 500 },
    );
    assert.equal(after.status?.vlanId, undefined, 'its VLAN is free');
  });
});
