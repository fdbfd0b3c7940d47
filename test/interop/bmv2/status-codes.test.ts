// The same requests to the software switch and to BMv2, side by side. Where
// the specification names a code, the software switch answers it; where BMv2
// answers otherwise, that is a deviation listed in docs/bmv2.md, and this
// test pins BMv2's answer so a change in BMv2 shows up here.
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import { SoftwareSwitch } from '../../../src/switch/p4runtime-server.js';
import { Bmv2Process } from '../../../tools/harness/bmv2-process.js';
import type { P4Toolchain } from '../../../tools/harness/p4-toolchain.js';
import { LOG_DIR, toolchainOrSkip } from './bmv2-fixture.js';
import { PROBES } from './status-codes.js';

const name = (c: number): string => (c === -1 ? 'no answer' : (grpc.status[c] ?? String(c)));

describe('status codes: the software switch, BMv2 and the specification', function () {
  this.timeout(60_000);
  let toolchain: P4Toolchain;
  before(function () {
    toolchain = toolchainOrSkip(this, 'BMv2 status-code comparison');
  });

  for (const probe of PROBES) {
    it(`${probe.name}: software ${name(probe.software)}, BMv2 ${name(probe.bmv2)}${probe.spec !== undefined ? `, specification ${name(probe.spec)}` : ''}`, async () => {
      if (probe.spec !== undefined)
        assert.equal(probe.software, probe.spec, 'the software switch must answer what the specification asks');
      const sw = new SoftwareSwitch({ deviceId: 1n });
      const port = await sw.start('127.0.0.1:0');
      const bmv2 = await Bmv2Process.start({ toolchain, logFile: join(LOG_DIR, 'bmv2-status.log') });
      try {
        assert.equal(name(await probe.run(`127.0.0.1:${port}`)), name(probe.software), 'software switch');
        assert.equal(name(await probe.run(bmv2.address)), name(probe.bmv2), 'BMv2');
      } finally {
        sw.stop();
        await bmv2.kill();
      }
    });
  }
});
