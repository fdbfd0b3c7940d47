import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findCluster,
  hubCluster,
  kubeconfigPath,
  memberClusters,
  readState,
  requireState,
  STATE_VERSION,
  writeState,
  type ClusterRecord,
  type TestbedState,
} from '../../../tools/testbed/state.js';

function cluster(name: string, role: 'hub' | 'member'): ClusterRecord {
  const id = name.toLowerCase();
  return {
    name,
    id,
    role,
    server: 'https://127.0.0.1:1',
    port: 1,
    etcdPrefix: `/p/${id}`,
    kubeconfig: `/k/${id}.kubeconfig`,
    caFile: '/ca',
    nodes: [],
    processes: [],
  };
}

describe('testbed state API', function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tb-state-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips the state file and finds clusters by provider name or id, any case', function () {
    const state: TestbedState = {
      version: STATE_VERSION,
      dir,
      startedAt: '2026-01-01T00:00:00Z',
      binDir: '/bin',
      versions: {},
      catalogue: 'c.yaml',
      etcd: {
        url: 'http://127.0.0.1:2',
        process: { role: 'etcd', pid: null, command: 'etcd', args: [], env: {}, log: 'l' },
      },
      clusters: [cluster('hub', 'hub'), cluster('Fog1', 'member'), cluster('PublicCloud2', 'member')],
      helpers: [],
    };
    writeState(state);
    const back = requireState(dir);
    assert.equal(hubCluster(back).name, 'hub');
    assert.deepEqual(
      memberClusters(back).map((c) => c.name),
      ['Fog1', 'PublicCloud2'],
    );
    assert.equal(findCluster(back, 'fog1').name, 'Fog1');
    assert.equal(findCluster(back, 'PUBLICCLOUD2').id, 'publiccloud2');
    assert.equal(kubeconfigPath('Fog1', back), '/k/fog1.kubeconfig');
    assert.throws(() => findCluster(back, 'Fog9'), /no cluster "Fog9".*have hub, Fog1, PublicCloud2/);
  });

  it('says how to start a test bed when none is up', function () {
    assert.equal(readState(dir), undefined);
    assert.throws(() => requireState(dir), /npm run testbed -- up/);
  });
});
