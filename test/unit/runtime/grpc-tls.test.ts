// The switch path's mutual TLS (src/runtime/grpc-tls.ts), in process: the
// software switch serving it and a P4Runtime client dialling it, with
// certificates openssl makes for each case.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { P4RuntimeClient } from '../../../src/p4/p4runtime-client.js';
import {
  type GrpcSecurity,
  mutualTls,
  PLAINTEXT,
  readTlsSet,
  securityFromFlags,
  TLS_FILES,
  TlsFilesError,
} from '../../../src/runtime/grpc-tls.js';
import { SoftwareSwitch } from '../../../src/switch/p4runtime-server.js';
import { makeTestPki, type TestPki } from '../../../tools/harness/test-pki.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';

describe('grpc-tls: mutual TLS on the switch path', function () {
  this.timeout(30_000);
  let root: string;
  let pki: TestPki;
  let sw: SoftwareSwitch;
  let serverTls: GrpcSecurity;
  let address: string;
  const opened: GrpcSecurity[] = [];
  const tlsFrom = (dir: string, refreshMs?: number): GrpcSecurity => {
    const s = mutualTls(dir, refreshMs ? { refreshMs } : {});
    opened.push(s);
    return s;
  };
  /** Capabilities through a fresh channel with `security`: the TLS handshake decides. */
  const dial = async (security: GrpcSecurity, at = address): Promise<string> => {
    const c = new P4RuntimeClient(at, { timeoutMs: 3000, security });
    try {
      return (await c.capabilities('1')).p4runtime_api_version ?? '';
    } finally {
      c.close();
    }
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'zk-grpc-tls-'));
    pki = makeTestPki(root);
    serverTls = tlsFrom(pki.issue('switch'));
    sw = new SoftwareSwitch({ deviceId: 1n });
    address = `127.0.0.1:${await sw.start('127.0.0.1:0', serverTls)}`;
  });
  after(() => {
    sw?.stop();
    for (const s of opened) s.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('lets in a client whose certificate the CA signed', async () => {
    assert.match(await dial(tlsFrom(pki.issue('operator'))), /^1\./);
  });

  for (const [attack, make] of [
    ['a plaintext client', () => PLAINTEXT],
    ['a certificate from another CA', () => tlsFrom(pki.issue('rogue', { signer: 'rogue' }))],
    ['an expired certificate', () => tlsFrom(pki.issue('expired', { days: -1 }))],
  ] as const) {
    it(`refuses ${attack}`, async () => {
      await assert.rejects(dial(make()), (e: Error & { code?: number }) => {
        assert.equal(e.code, 14, `UNAVAILABLE expected, got ${e.message}`);
        return true;
      });
    });
  }

  it('refuses a client without a certificate even when it trusts the CA', async () => {
    // A channel with the CA but no identity: the server asks for a certificate and gets none.
    const anonymous: GrpcSecurity = {
      ...PLAINTEXT,
      tls: true,
      channel: () => grpc.credentials.createSsl(readFileSync(pki.caFile)),
    };
    await assert.rejects(dial(anonymous), (e: Error & { code?: number }) => e.code === 14);
  });

  it('takes a rotated certificate once it is whole, and keeps the old one while it is not', async () => {
    const dir = pki.issue('rotating');
    const served = tlsFrom(dir, 100);
    const other = new SoftwareSwitch({ deviceId: 1n });
    const port = await other.start('127.0.0.1:0', served);
    const client = tlsFrom(pki.issue('client-of-rotating'));
    try {
      /** The serial number of the certificate the server presents to a new connection. */
      const serial = (): Promise<string> => {
        const set = readTlsSet(join(root, 'client-of-rotating'));
        return new Promise((resolve, reject) => {
          const s = connect(
            {
              host: '127.0.0.1',
              port,
              ca: readFileSync(pki.caFile),
              cert: set.cert,
              key: set.key,
              ALPNProtocols: ['h2'],
            },
            () => {
              resolve(s.getPeerCertificate().serialNumber);
              s.destroy();
            },
          );
          s.once('error', reject);
        });
      };
      const before = await serial();
      // A key that does not belong to the certificate (a rotation caught half-way): refused, the old pair stays.
      copyFileSync(join(root, 'switch', TLS_FILES.key), join(dir, TLS_FILES.key));
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(await serial(), before, 'a half-written rotation must not replace the pair in use');
      assert.match(await dial(client, `127.0.0.1:${port}`), /^1\./, 'still serving with the old pair');
      pki.rotate(dir, 'rotating');
      await pollUntil('the new certificate is served', async () => ((await serial()) !== before ? true : undefined), {
        timeoutMs: 5000,
        everyMs: 100,
      });
    } finally {
      other.stop();
    }
  });

  it('names the file and the fault of an unusable folder', () => {
    const dir = pki.issue('broken');
    rmSync(join(dir, TLS_FILES.ca));
    assert.throws(
      () => readTlsSet(dir),
      (e: Error) => e instanceof TlsFilesError && e.message.includes(join(dir, TLS_FILES.ca)),
    );
    const mismatched = pki.issue('mismatched');
    copyFileSync(join(root, 'switch', TLS_FILES.key), join(mismatched, TLS_FILES.key));
    assert.throws(() => readTlsSet(mismatched), /tls\.key: the key does not belong to tls\.crt/);
  });

  it('runs in plaintext only when asked by name, with a warning', () => {
    const names = { tlsDir: '--tls-dir', insecure: '--insecure-plaintext', hop: 'the switch' };
    const logged: string[] = [];
    const log = (level: string, msg: string): void => {
      logged.push(`${level}: ${msg}`);
    };
    assert.throws(() => securityFromFlags({}, names, log), /needs --tls-dir DIR .* or --insecure-plaintext/);
    assert.throws(
      () => securityFromFlags({ tlsDir: root, insecure: true }, names, log),
      /--tls-dir and --insecure-plaintext exclude each other/,
    );
    assert.equal(securityFromFlags({ insecure: true }, names, log), PLAINTEXT);
    assert.deepEqual(logged, [
      'warn: the switch runs without TLS (--insecure-plaintext): anyone who reaches it can read and write',
    ]);
    const s = securityFromFlags({ tlsDir: join(root, 'switch') }, names, log);
    opened.push(s);
    assert.equal(s.tls, true);
  });
});
