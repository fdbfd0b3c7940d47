// Transport security of the switch path (operator -> sidecar -> switch):
// mutual TLS with certificates from a folder laid out as a
// `kubernetes.io/tls` Secret with its CA mounts (cert-manager writes the
// same three keys): tls.crt, tls.key, ca.crt. Every party presents its own
// certificate and accepts only peers whose certificate that CA signed, so
// a pod that merely reaches the switch port can no longer open a stream,
// win arbitration and rewrite the privacy entries.
//
// The files are read again every `refreshMs`: cert-manager or an admin
// rotates them in place. A new set is taken only when it is whole (the key
// matches the certificate, every PEM parses); a half-written rotation
// keeps the set in use, because grpc-js would otherwise drop every new
// connection until the next good read.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createLogger, errorText } from './logger.js';

type CertificateProvider = grpc.experimental.CertificateProvider;
type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

export const TLS_FILES = { cert: 'tls.crt', key: 'tls.key', ca: 'ca.crt' } as const;

/** How often the files are read again; the kubelet refreshes a mounted Secret within about a minute. */
export const TLS_REFRESH_MS = 10_000;

/** How a gRPC hop is secured: the credentials for both of its ends. */
export interface GrpcSecurity {
  readonly tls: boolean;
  /** For logs: "mutual TLS (/etc/zonekeeper/tls)" or "plaintext". */
  readonly description: string;
  channel(): grpc.ChannelCredentials;
  server(): grpc.ServerCredentials;
  /** Stops re-reading the files (the process is shutting down). */
  close(): void;
}

export const PLAINTEXT: GrpcSecurity = {
  tls: false,
  description: 'plaintext',
  channel: () => grpc.credentials.createInsecure(),
  server: () => grpc.ServerCredentials.createInsecure(),
  close: () => undefined,
};

export class TlsFilesError extends Error {}

interface TlsSet {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
  /** The leaf's subject and expiry, for the reload log. */
  subject: string;
  notAfter: string;
}

/** Reads and checks one set; throws TlsFilesError naming the file and what is wrong with it. */
export function readTlsSet(dir: string): TlsSet {
  const read = (name: string): Buffer => {
    try {
      return readFileSync(join(dir, name));
    } catch (e) {
      throw new TlsFilesError(`${join(dir, name)}: ${errorText(e)}`);
    }
  };
  const cert = read(TLS_FILES.cert);
  const key = read(TLS_FILES.key);
  const ca = read(TLS_FILES.ca);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (e) {
    throw new TlsFilesError(`${join(dir, TLS_FILES.cert)}: not a PEM certificate (${errorText(e)})`);
  }
  try {
    if (!leaf.checkPrivateKey(createPrivateKey(key)))
      throw new TlsFilesError(`${join(dir, TLS_FILES.key)}: the key does not belong to ${TLS_FILES.cert}`);
  } catch (e) {
    if (e instanceof TlsFilesError) throw e;
    throw new TlsFilesError(`${join(dir, TLS_FILES.key)}: not a PEM private key (${errorText(e)})`);
  }
  try {
    createSecureContext({ cert, key, ca });
  } catch (e) {
    throw new TlsFilesError(`${dir}: the three files do not make a TLS context (${errorText(e)})`);
  }
  return { cert, key, ca, subject: leaf.subject.replace(/\n/g, ','), notAfter: leaf.validTo };
}

/**
 * A grpc-js certificate provider over one folder: the same set serves as
 * this party's identity and as the CA its peers are checked against.
 */
class TlsFolder implements CertificateProvider {
  private current: TlsSet;
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();
  private readonly timer: NodeJS.Timeout;
  /** The last refused set's error, so a broken rotation is logged once, not every refresh. */
  private lastRefusal = '';

  constructor(
    readonly dir: string,
    refreshMs: number,
    private readonly log: (msg: string, fields: Record<string, unknown>) => void,
  ) {
    this.current = readTlsSet(dir);
    this.timer = setInterval(() => this.refresh(), refreshMs);
    this.timer.unref();
  }

  private refresh(): void {
    let next: TlsSet;
    try {
      next = readTlsSet(this.dir);
    } catch (e) {
      const why = errorText(e);
      if (why !== this.lastRefusal)
        this.log('TLS files changed but are not usable; keeping the certificate in use', { dir: this.dir, error: why });
      this.lastRefusal = why;
      return;
    }
    this.lastRefusal = '';
    const c = this.current;
    if (next.cert.equals(c.cert) && next.key.equals(c.key) && next.ca.equals(c.ca)) return;
    this.current = next;
    this.log('TLS certificate reloaded', { dir: this.dir, subject: next.subject, notAfter: next.notAfter });
    for (const l of this.identityListeners) l({ certificate: next.cert, privateKey: next.key });
    for (const l of this.caListeners) l({ caCertificate: next.ca });
  }

  addCaCertificateListener(l: CaListener): void {
    this.caListeners.add(l);
    process.nextTick(l, { caCertificate: this.current.ca });
  }
  removeCaCertificateListener(l: CaListener): void {
    this.caListeners.delete(l);
  }
  addIdentityCertificateListener(l: IdentityListener): void {
    this.identityListeners.add(l);
    process.nextTick(l, { certificate: this.current.cert, privateKey: this.current.key });
  }
  removeIdentityCertificateListener(l: IdentityListener): void {
    this.identityListeners.delete(l);
  }
  close(): void {
    clearInterval(this.timer);
  }
}

export interface MutualTlsOptions {
  refreshMs?: number;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

/** Mutual TLS from `dir` (tls.crt, tls.key, ca.crt); throws TlsFilesError when the set is not usable now. */
export function mutualTls(dir: string, o: MutualTlsOptions = {}): GrpcSecurity {
  const folder = new TlsFolder(dir, o.refreshMs ?? TLS_REFRESH_MS, o.log ?? (() => undefined));
  return {
    tls: true,
    description: `mutual TLS (${dir})`,
    // The server asks for a certificate and refuses a connection without a valid one.
    server: () => grpc.experimental.createCertificateProviderServerCredentials(folder, folder, true),
    channel: () => grpc.experimental.createCertificateProviderChannelCredentials(folder, folder),
    close: () => folder.close(),
  };
}

/**
 * securityFromFlags for a process's main: `--tls-dir` / `--insecure-plaintext`,
 * logged as `component`; a wrong choice ends the process with exit code 2.
 */
export function processSecurity(
  component: string,
  flags: { tlsDir?: string; insecure?: boolean },
  hop: string,
): GrpcSecurity {
  const logger = createLogger({ fields: { component } });
  try {
    return securityFromFlags(flags, { tlsDir: '--tls-dir', insecure: '--insecure-plaintext', hop }, (level, m, f) =>
      logger[level](m, f),
    );
  } catch (e) {
    process.stderr.write(`${component}: ${errorText(e)}\n`);
    process.exit(2);
  }
}

/**
 * The choice a process's flags make: TLS from a folder, or plaintext only
 * when asked for by name (with a warning), never by leaving a flag out.
 */
export function securityFromFlags(
  flags: { tlsDir?: string; insecure?: boolean },
  names: { tlsDir: string; insecure: string; hop: string },
  log: (level: 'warn' | 'info', msg: string, fields: Record<string, unknown>) => void,
): GrpcSecurity {
  if (flags.tlsDir && flags.insecure)
    throw new TlsFilesError(`${names.tlsDir} and ${names.insecure} exclude each other`);
  if (flags.insecure) {
    log('warn', `${names.hop} runs without TLS (${names.insecure}): anyone who reaches it can read and write`, {});
    return PLAINTEXT;
  }
  if (!flags.tlsDir)
    throw new TlsFilesError(
      `${names.hop} needs ${names.tlsDir} DIR (a folder with ${TLS_FILES.cert}, ${TLS_FILES.key} and ${TLS_FILES.ca}, as a kubernetes.io/tls Secret mounts it), or ${names.insecure} to run it in plaintext`,
    );
  return mutualTls(flags.tlsDir, { log: (m, f) => log('info', m, f) });
}
