// The two binaries the test bed and the main command start: the software
// switch and the sidecar, as separate processes talking over loopback.
import assert from 'node:assert/strict';
import path from 'node:path';
import { planP4Entries } from '../../../src/core/network/p4-entries.js';
import { P4_DIR } from '../../../src/p4/proto-files.js';
import { SidecarClient } from '../../../src/sidecar/sidecar-client.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { NodeChild } from '../../../tools/harness/node-child.js';
import { PAPER_PLANS, PORTS } from '../../unit/p4/paper-zone-plans.js';

const start = (script: string, args: string[], ready: RegExp): Promise<{ proc: NodeChild; match: RegExpExecArray }> =>
  NodeChild.start({ name: script, script, args, ready });

describe('binaries: dist/src/switch/main.js and dist/src/sidecar/main.js', function () {
  this.timeout(30_000);
  let sw: NodeChild | undefined;
  let side: NodeChild | undefined;
  after(async () => {
    await side?.kill();
    await sw?.kill();
  });

  it('start on free ports, and the sidecar programs the switch when the operator hands it a zone', async () => {
    const s = await start(
      'src/switch/main.js',
      ['--port', '0', '--device-id', '1', '--insecure-plaintext'],
      /zone-switch listening on 127\.0\.0\.1:(\d+) device_id=1/,
    );
    sw = s.proc;
    const c = await start(
      'src/sidecar/main.js',
      [
        '--switch',
        `127.0.0.1:${s.match[1] ?? ''}@1`,
        '--p4info',
        path.join(P4_DIR, 'zone_switch.p4info.txtpb'),
        '--listen',
        '127.0.0.1:0',
        '--http',
        '127.0.0.1:0',
        '--election-term',
        '3',
        '--election-ordinal',
        '1',
        '--insecure-plaintext',
      ],
      /zone-sidecar listening on 127\.0\.0\.1:(\d+) http 127\.0\.0\.1:(\d+)/,
    );
    side = c.proc;
    const client = new SidecarClient(`127.0.0.1:${c.match[1] ?? ''}`);
    try {
      await pollUntil(
        'the sidecar to become primary',
        async () => (await client.getSwitchStatus())[0]?.primary,
        10_000,
      );
      const [z] = planP4Entries(PAPER_PLANS, PORTS).zones;
      assert.ok(z);
      const st = await client.setZoneEntries(z.zone, 1, z.entries);
      assert.equal(st.programmed, true, `${st.reason ?? ''} ${st.message ?? ''}`);
      const ready = await fetch(`http://127.0.0.1:${c.match[2] ?? ''}/readyz`);
      assert.equal(ready.status, 200);
    } finally {
      client.close();
    }
  });
});
