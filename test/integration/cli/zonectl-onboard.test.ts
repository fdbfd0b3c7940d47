// `zonectl onboard` as an admin runs it: the built executable, a member's
// admin kubeconfig and the hub's, on the test bed. The hub Secret it writes
// must hold a kubeconfig whose token the member accepts as zonekeeper-member,
// with the lifetime asked for; bad input exits 2 naming the flag.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { staticBearerToken } from '../../../src/clusters/member-kubeconfig.js';
import { serviceAccountTokenClaims } from '../../../src/clusters/token-schedule.js';
import { type KubeClient, type KubeObject, resourcePath } from '../../../src/runtime/kube-client.js';
import { adminClient, OPERATOR_NAMESPACE } from '../../../tools/harness/testbed-setup.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { findCluster, hubCluster, requireState } from '../../../tools/testbed/state.js';

const ZONECTL = join(repoRoot(), 'dist', 'src', 'cli', 'zonectl.js');
const SECRET = 'zk-onboard-it-kubeconfig';
const PROVIDER = 'publiccloud4';

function zonectl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [ZONECTL, ...args], { encoding: 'utf8', timeout: 60_000 }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out, err });
    });
  });
}

const contextOf = (file: string): string =>
  (yaml.load(readFileSync(file, 'utf8')) as { 'current-context': string })['current-context'];

describe('zonectl onboard (test bed)', function () {
  this.timeout(120_000);
  let hub: KubeClient;
  let member: KubeClient;
  const secretPath = resourcePath(
    { group: '', version: 'v1', plural: 'secrets', namespaced: true },
    OPERATOR_NAMESPACE,
    SECRET,
  );
  // Read once the global fixture has started the test bed, not when the file loads.
  let hubFile = '';
  let base: string[] = [];
  before(async () => {
    const state = requireState();
    hubFile = hubCluster(state).kubeconfig;
    const memberFile = findCluster(state, PROVIDER).kubeconfig;
    base = [
      'onboard',
      PROVIDER,
      '--member-kubeconfig',
      memberFile,
      '--member-context',
      contextOf(memberFile),
      '--kubeconfig',
      hubFile,
      '--manifest',
      join(repoRoot(), 'deploy', 'member-rbac.yaml'),
      '--secret',
      SECRET,
    ];
    hub = await adminClient(hubCluster(state));
    member = await adminClient(findCluster(state, PROVIDER));
  });
  after(async () => {
    await hub?.delete(secretPath).catch(() => undefined);
    hub?.close();
    member?.close();
  });

  it('writes a hub Secret whose kubeconfig holds a zonekeeper-member token of the asked lifetime that the member accepts', async () => {
    const r = await zonectl([...base, '--token-duration', '1h']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`wrote kubeconfig Secret ${OPERATOR_NAMESPACE}/${SECRET}`));
    const s = await hub.get<KubeObject & { data?: Record<string, string> }>(secretPath);
    const token = staticBearerToken(Buffer.from(s.data?.['kubeconfig'] ?? '', 'base64').toString('utf8'));
    assert.ok(token, 'a bearer token in the kubeconfig');
    const claims = serviceAccountTokenClaims(token);
    assert.equal(claims?.serviceAccount, 'zonekeeper-member');
    assert.equal((claims?.expiresAt ?? 0) - (claims?.issuedAt ?? 0), 3600);
    const review = await member.request<{ status?: { authenticated?: boolean; user?: { username?: string } } }>(
      'POST',
      '/apis/authentication.k8s.io/v1/tokenreviews',
      { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } },
    );
    assert.equal(review.status?.user?.username, 'system:serviceaccount:zonekeeper-system:zonekeeper-member');
    // A second run updates the Secret with a fresh token.
    const again = await zonectl(base);
    assert.equal(again.code, 0, again.err);
    const s2 = await hub.get<KubeObject & { data?: Record<string, string> }>(secretPath);
    assert.notEqual(s2.data?.['kubeconfig'], s.data?.['kubeconfig']);
  });

  it('exits 2 naming the flag for a lifetime under the TokenRequest minimum or a missing member context', async () => {
    const short = await zonectl([...base, '--token-duration', '5m']);
    assert.equal(short.code, 2);
    assert.match(short.err, /--token-duration: at least 10m/);
    const none = await zonectl(['onboard', PROVIDER, '--kubeconfig', hubFile]);
    assert.equal(none.code, 2);
    assert.match(none.err, /--member-context NAME is required/);
  });
});
