// The web view under load: 500 zones on the paper's 8 providers, the page in
// headless Chromium. Measures, for fresh page loads of a signed-in viewer,
// the first paint (navigation start to the first frame with every zone
// drawn), the bytes the page costs (static files as served, gzip; the
// snapshot on the event stream), and the update latency: a zone's status
// written to the hub until the page has redrawn it (hub -> informer ->
// SSE -> DOM), timed with one clock.
//
//   node dist/bench/web/web-view-bench.js [--zones 500] [--loads 7] [--updates 20] [--hub testbed|fake]
//
// --hub testbed (default): a running test bed (TESTBED_DIR) with zonekeeper
// installed by this script; the zones and their status are written straight
// to the hub (no operator: placement is not what is measured), the gateway
// runs as its ServiceAccount. --hub fake: an in-process stand-in hub, for a
// machine without the test bed (reported as such).

import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { ExecutionZone, ProviderCluster } from '../../src/core/api/types.js';
import { EXECUTION_ZONES } from '../../src/core/api/resources.js';
import { type KubeClient, resourcePath } from '../../src/runtime/kube-client.js';
import { apply, refFor } from '../../tools/harness/apply.js';
import { launchBrowser, waitForEntry } from '../../tools/harness/browser.js';
import { installOnTestbed } from '../../tools/harness/testbed-setup.js';
import { gatewayKubeconfig, startGateway, viewerToken } from '../../tools/harness/view-gateway.js';
import { emptyZoneStore, federation } from '../../tools/harness/view-fixtures.js';
import { requireState } from '../../tools/testbed/state.js';
import { numberArg, textArg } from '../support/args.js';
import { stats } from '../support/stats.js';

const ZONES = numberArg('zones', 500);
const LOADS = numberArg('loads', 7);
const UPDATES = numberArg('updates', 20);
const HUB = textArg('hub', 'testbed');
const NAMESPACES = ['bench-view-a', 'bench-view-b', 'bench-view-c', 'bench-view-d'];
const say = (m: string) => process.stderr.write(`[bench] ${m}\n`);

interface Target {
  base: string;
  token: string;
  /** Writes a zone's status to the hub. */
  writeStatus(z: ExecutionZone): Promise<void>;
  close(): Promise<void>;
}

async function pool<T>(items: readonly T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

async function testbedTarget(fed: { providers: ProviderCluster[]; zones: ExecutionZone[] }): Promise<Target> {
  const state = requireState();
  const { hub } = await installOnTestbed(state, { log: say });
  for (const ns of NAMESPACES) await apply(hub, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const statusPath = (z: ExecutionZone) =>
    `${resourcePath(EXECUTION_ZONES, z.metadata.namespace, z.metadata.name)}/status`;
  const writeStatus = async (z: ExecutionZone) => {
    const cur = await hub.get<ExecutionZone>(resourcePath(EXECUTION_ZONES, z.metadata.namespace, z.metadata.name));
    await hub.replace(statusPath(z), { ...cur, status: z.status });
  };
  const t0 = Date.now();
  for (const p of fed.providers) {
    const cur = await hub.get<ProviderCluster>(resourcePath(refFor('ProviderCluster'), undefined, p.metadata.name));
    await hub.replace(`${resourcePath(refFor('ProviderCluster'), undefined, p.metadata.name)}/status`, {
      ...cur,
      status: p.status,
    });
  }
  await pool(fed.zones, 8, async (z) => {
    await apply(hub, { ...z, status: undefined });
    await writeStatus(z);
  });
  say(`${fed.zones.length} zones with status written to the hub in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const gw = await startGateway(await gatewayKubeconfig(state, hub), join(state.dir, 'logs', 'gateway-bench.log'));
  const token = await viewerToken(hub, 'zonekeeper-system', 'bench-viewer', true);
  return {
    base: gw.base,
    token,
    writeStatus,
    close: async () => {
      await gw.proc.kill('SIGTERM');
      say('removing the bench zones (no operator: no finalizers)');
      for (const ns of NAMESPACES)
        await hub.delete(resourcePath(refFor('Namespace'), undefined, ns)).catch(() => undefined);
      hub.close();
    },
  };
}

async function fakeTarget(fed: { providers: ProviderCluster[]; zones: ExecutionZone[] }): Promise<Target> {
  const { FakeViewHub } = await import('../../test/support/fake-view-hub.js');
  const { listenWithClient } = await import('../../test/support/local-kube-client.js');
  const { ViewFeed } = await import('../../src/gateway/view-feed.js');
  const { ViewRoutes } = await import('../../src/gateway/view-routes.js');
  const { ViewerAuth } = await import('../../src/gateway/viewer-auth.js');
  const { gatewayServer } = await import('../../src/gateway/server.js');
  const { MessageHandler } = await import('../../src/gateway/message-handler.js');
  const { silentLogger } = await import('../../src/runtime/logger.js');
  const hub = new FakeViewHub();
  hub.account('bench', { user: 'bench', groups: [], namespaces: ['*'] });
  for (const p of fed.providers) hub.put(p);
  for (const z of fed.zones) hub.put(z);
  const client: KubeClient = await listenWithClient(hub.server);
  const feed = new ViewFeed(client, silentLogger);
  await feed.start();
  const server = gatewayServer(new MessageHandler(emptyZoneStore()), {
    defaultNamespace: 'default',
    view: new ViewRoutes(feed, new ViewerAuth(client)),
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token: 'bench',
    writeStatus: (z) => Promise.resolve(hub.put(z)),
    close: () => {
      feed.stop();
      server.closeAllConnections();
      server.close();
      client.close();
      hub.close();
      return Promise.resolve();
    },
  };
}

const fmt = (s: { median: number; min: number; max: number; n: number }, unit: string, digits = 0) =>
  `median ${s.median.toFixed(digits)} ${unit} (min ${s.min.toFixed(digits)}, max ${s.max.toFixed(digits)}, n=${s.n})`;

async function main(): Promise<void> {
  const fed = federation(ZONES, NAMESPACES);
  const target = HUB === 'fake' ? await fakeTarget(fed) : await testbedTarget(fed);
  const browser = await launchBrowser({ width: 1400, height: 900 });
  try {
    // Sign in once; the session cookie serves every load after.
    const first = await browser.context.newPage();
    await first.goto(`${target.base}/ui/`);
    await first.fill('#token', target.token);
    await first.click('#signin button[type=submit]');
    await first.waitForSelector('body[data-rendered]', { timeout: 60_000 });
    await first.close();

    // Page weight: the files as served (gzip), and the snapshot the stream opens with.
    const files: Record<string, number> = {};
    let filesRaw = 0;
    for (const f of ['', 'app.js', 'figure.js', 'style.css']) {
      const r = await fetch(`${target.base}/ui/${f}`, { headers: { 'Accept-Encoding': 'gzip' } });
      const body = Buffer.from(await r.arrayBuffer());
      filesRaw += body.length;
      files[f || 'index.html'] = gzipSync(body).length;
    }
    const snap = Buffer.from(
      await (
        await fetch(`${target.base}/api/view`, { headers: { Authorization: `Bearer ${target.token}` } })
      ).arrayBuffer(),
    );

    const paints: number[] = [];
    // Where the first paint goes: the snapshot's arrival (files, stream, server) and the page's own drawing.
    const snapshotAt: number[] = [];
    const renderMs: number[] = [];
    const transferred: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const page = await browser.context.newPage();
      await page.goto(`${target.base}/ui/`);
      await page.waitForSelector('body[data-rendered]', { timeout: 60_000 });
      const [paint, drawn, bytes, arrived, render] = await page.evaluate<number[]>(
        '[window.zkFirstPaint, document.querySelectorAll("#zones .zone").length, performance.getEntriesByType("resource").concat(performance.getEntriesByType("navigation")).reduce((n, e) => n + e.transferSize, 0), window.zkSnapshotAt, window.zkRenderMs]',
      );
      snapshotAt.push(arrived);
      renderMs.push(render);
      if (drawn < ZONES * 0.9 - 1) throw new Error(`only ${drawn} zones drawn`);
      paints.push(paint);
      transferred.push(bytes);
      await page.close();
    }

    // Update latency: a status change in the hub until the page has redrawn that zone.
    const page = await browser.context.newPage();
    await page.goto(`${target.base}/ui/`);
    await page.waitForSelector('body[data-rendered]', { timeout: 60_000 });
    await page.evaluate(
      `window.zkSeen = {}; new MutationObserver((ms) => { for (const m of ms) for (const n of m.addedNodes) if (n.dataset && n.dataset.key) window.zkSeen[n.dataset.key + '|' + n.querySelectorAll('.inst.pending').length] = Date.now(); }).observe(document.getElementById('zones'), { childList: true })`,
    );
    const latencies: number[] = [];
    const placed = fed.zones.filter((z) => z.status?.vlanId !== undefined);
    for (let i = 0; i < UPDATES; i++) {
      const z = structuredClone(placed[(i * 37) % placed.length]);
      const inst = Object.values(z.status?.instances ?? {})[0] ?? {};
      // Every instance Pending: a change the page must draw (dashed outlines).
      for (const x of Object.values(inst)) x.phase = 'Pending';
      const key = `${z.metadata.namespace}/${z.metadata.name}|${Object.keys(inst).length}`;
      const t0 = Date.now();
      await target.writeStatus(z);
      latencies.push(((await waitForEntry(page, 'zkSeen', key)) as number) - t0);
      // Put it back, so the next round changes something again.
      const back = placed[(i * 37) % placed.length];
      await target.writeStatus(back);
    }
    await page.close();

    const out = {
      hub: HUB,
      zones: ZONES,
      providers: fed.providers.length,
      firstPaintMs: stats(paints),
      snapshotArrivedMs: stats(snapshotAt),
      renderMs: stats(renderMs),
      updateLatencyMs: stats(latencies),
      pageWeight: {
        filesGzipBytes: files,
        filesRawBytes: filesRaw,
        snapshotBytes: snap.length,
        snapshotGzipBytes: gzipSync(snap).length,
        transferredPerLoadBytes: stats(transferred),
      },
    };
    say(`first paint, ${ZONES} zones on ${fed.providers.length} providers: ${fmt(out.firstPaintMs, 'ms')}`);
    say(`  of which: snapshot arrived at ${fmt(out.snapshotArrivedMs, 'ms')}; drawing it ${fmt(out.renderMs, 'ms')}`);
    say(`update latency (hub write -> page redrawn): ${fmt(out.updateLatencyMs, 'ms')}`);
    say(
      `page weight: files ${Object.values(files).reduce((a, b) => a + b, 0)} B gzip (${filesRaw} B raw), snapshot ${snap.length} B (${out.pageWeight.snapshotGzipBytes} B gzip); transferred per load ${fmt(out.pageWeight.transferredPerLoadBytes, 'B')}`,
    );
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } finally {
    await browser.close();
    await target.close();
  }
}

main().catch((e) => {
  process.stderr.write(`web-view-bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
