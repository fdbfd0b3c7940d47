// Certificates for one test-bed cluster, made with the openssl CLI (Node's
// crypto makes keys but cannot sign X.509 certificates). Each cluster gets
// its own CA, so a member's credentials are worthless on another member,
// as between real providers.

import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClusterPki {
  dir: string;
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  /** Service-account token signing key pair. */
  saKey: string;
  saPub: string;
  clients: Record<ClientName, { cert: string; key: string }>;
  /**
   * The kube-aggregator's front proxy: its own CA (the requestheader client
   * CA) and the client certificate the API server presents to an aggregated
   * API server (metrics.k8s.io), which trusts X-Remote-User only from it.
   */
  frontProxyCaCert: string;
  frontProxyClient: { cert: string; key: string };
  /** The serving certificate of the member's metrics stand-in, for the name the aggregator dials. */
  metricsServing: { cert: string; key: string };
}

/** The name the front-proxy client certificate carries, and the API server allows (requestheader-allowed-names). */
export const FRONT_PROXY_CLIENT = 'front-proxy-client';
/** The Service the metrics.k8s.io APIService names; the aggregator verifies the server as `<name>.<namespace>.svc`. */
export const METRICS_SERVICE = { namespace: 'kube-system', name: 'metrics-server' } as const;

/** Client identities: admin (system:masters) and the two components. */
export type ClientName = 'admin' | 'controller-manager' | 'scheduler';

const CLIENT_SUBJECTS: Record<ClientName, string> = {
  admin: '/O=system:masters/CN=zonekeeper-testbed-admin',
  // The bootstrap RBAC policy binds these user names to the components' roles.
  'controller-manager': '/CN=system:kube-controller-manager',
  scheduler: '/CN=system:kube-scheduler',
};

// A week is plenty for a test bed; `up` always makes fresh ones.
const DAYS = '7';

async function openssl(args: string[]): Promise<void> {
  await run('openssl', args, { maxBuffer: 1 << 20 });
}

async function selfSignedCa(dir: string, name: string, subject: string): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  await ecKey(key);
  await openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    key,
    '-subj',
    subject,
    '-days',
    DAYS,
    '-sha256',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    cert,
  ]);
  return { cert, key };
}

async function ecKey(path: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path]);
}

async function signed(
  dir: string,
  name: string,
  subject: string,
  ca: { cert: string; key: string },
  ext: string,
): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const extFile = join(dir, `${name}.ext`);
  await ecKey(key);
  await openssl(['req', '-new', '-key', key, '-subj', subject, '-out', csr]);
  writeFileSync(extFile, ext);
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-days',
    DAYS,
    '-sha256',
    '-extfile',
    extFile,
    '-out',
    cert,
  ]);
  return { cert, key };
}

export async function makeClusterPki(dir: string, clusterId: string): Promise<ClusterPki> {
  mkdirSync(dir, { recursive: true });
  const ca = await selfSignedCa(dir, 'ca', `/CN=zonekeeper-testbed-${clusterId}-ca`);
  const serving = await signed(
    dir,
    'apiserver',
    `/CN=${clusterId}-apiserver`,
    ca,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      // The in-cluster names matter only for clients that use them; loopback is what we dial.
      'subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:127.0.0.1',
      '',
    ].join('\n'),
  );
  const clientExt = [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=clientAuth',
    '',
  ].join('\n');
  const clients = {} as Record<ClientName, { cert: string; key: string }>;
  for (const name of Object.keys(CLIENT_SUBJECTS) as ClientName[]) {
    clients[name] = await signed(dir, `client-${name}`, CLIENT_SUBJECTS[name], ca, clientExt);
  }
  const frontProxyCa = await selfSignedCa(dir, 'front-proxy-ca', `/CN=zonekeeper-testbed-${clusterId}-front-proxy-ca`);
  const frontProxyClient = await signed(
    dir,
    'front-proxy-client',
    `/CN=${FRONT_PROXY_CLIENT}`,
    frontProxyCa,
    clientExt,
  );
  const metricsServing = await signed(
    dir,
    'metrics-serving',
    `/CN=${METRICS_SERVICE.name}.${METRICS_SERVICE.namespace}.svc`,
    ca,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=DNS:${METRICS_SERVICE.name}.${METRICS_SERVICE.namespace}.svc,DNS:localhost,IP:127.0.0.1`,
      '',
    ].join('\n'),
  );
  const saKey = join(dir, 'sa.key');
  const saPub = join(dir, 'sa.pub');
  await ecKey(saKey);
  await openssl(['pkey', '-in', saKey, '-pubout', '-out', saPub]);
  return {
    dir,
    caCert: ca.cert,
    caKey: ca.key,
    servingCert: serving.cert,
    servingKey: serving.key,
    saKey,
    saPub,
    clients,
    frontProxyCaCert: frontProxyCa.cert,
    frontProxyClient,
    metricsServing,
  };
}
