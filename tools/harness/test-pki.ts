// Certificates for the tests of the switch path's mutual TLS, made with the
// openssl command line: a CA, leaf certificates it signs (each in a folder
// laid out as a mounted kubernetes.io/tls Secret: tls.crt, tls.key, ca.crt),
// and the bad ones an attacker would bring (signed by another CA, expired).
// Leaves name 127.0.0.1 and localhost, where the tests' servers listen.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TLS_FILES } from '../../src/runtime/grpc-tls.js';

export interface LeafOptions {
  /** Which CA signs it (default the PKI's own); 'rogue' is a CA nobody trusts. */
  signer?: 'main' | 'rogue';
  /** Days of validity from now; negative makes a certificate that has already expired. */
  days?: number;
}

export interface TestPki {
  root: string;
  /** The trusted CA's certificate file. */
  caFile: string;
  /** Issues `name` into root/name (tls.crt, tls.key, and the trusted CA as ca.crt); answers the folder. */
  issue(name: string, o?: LeafOptions): string;
  /** Issues a new pair for an existing folder, replacing it the way the kubelet does: whole files, renamed into place. */
  rotate(dir: string, name: string): void;
}

const openssl = (args: string[], cwd: string): void => {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
};

function makeCa(dir: string, cn: string): void {
  mkdirSync(dir, { recursive: true });
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
    ],
    dir,
  );
}

export function makeTestPki(root: string): TestPki {
  const main = join(root, 'ca');
  const rogue = join(root, 'rogue-ca');
  makeCa(main, 'zonekeeper-test-ca');
  makeCa(rogue, 'rogue-ca');
  let serial = 1;

  /** Writes a fresh key and certificate for `cn` into `out` under temporary names; answers them. */
  const sign = (out: string, cn: string, o: LeafOptions): { crt: string; key: string } => {
    const ca = o.signer === 'rogue' ? rogue : main;
    const stem = join(out, `.new-${serial}`);
    writeFileSync(
      `${stem}.ext`,
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature\n',
    );
    openssl(
      [
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        `${stem}.key`,
        '-out',
        `${stem}.csr`,
        '-subj',
        `/CN=${cn}`,
      ],
      out,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${stem}.csr`,
        '-CA',
        join(ca, 'ca.crt'),
        '-CAkey',
        join(ca, 'ca.key'),
        '-set_serial',
        String(serial++),
        '-days',
        String(o.days ?? 1),
        '-extfile',
        `${stem}.ext`,
        '-out',
        `${stem}.crt`,
      ],
      out,
    );
    return { crt: `${stem}.crt`, key: `${stem}.key` };
  };

  return {
    root,
    caFile: join(main, 'ca.crt'),
    issue(name, o = {}) {
      const out = join(root, name);
      mkdirSync(out, { recursive: true });
      const { crt, key } = sign(out, name, o);
      renameSync(key, join(out, TLS_FILES.key));
      renameSync(crt, join(out, TLS_FILES.cert));
      copyFileSync(join(main, 'ca.crt'), join(out, TLS_FILES.ca));
      return out;
    },
    rotate(dir, name) {
      const { crt, key } = sign(dir, name, {});
      renameSync(key, join(dir, TLS_FILES.key));
      renameSync(crt, join(dir, TLS_FILES.cert));
    },
  };
}
