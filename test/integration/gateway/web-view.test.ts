// The web view in a real browser (Debian's Chromium through playwright-core)
// against the gateway process on the live federation: the operator runs as
// its ServiceAccount, the gateway as its own, viewers sign in with tokens of
// their own ServiceAccounts. The paper's scenario, applied to the hub as
// manifests, appears on the page as it happens; a STOP takes its zone off
// the page without a reload; a zone waiting for capacity shows why, per
// provider; a tenant sees its namespace only.
// With ZK_SCREENSHOTS=<dir> the page is also saved as PNG (docs/ holds them).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ExecutionZone } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { apply, deleteIfExists } from '../../../tools/harness/apply.js';
import {
  attributesOf,
  type Browser,
  chromiumMissing,
  launchBrowser,
  waitForAll,
  waitForCount,
} from '../../../tools/harness/browser.js';
import {
  isReleased,
  listZones,
  waitReleaseDone,
  waitZoneObserved,
  waitZoneReady,
} from '../../../tools/harness/hub-reads.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { paperScenario } from '../../../tools/harness/paper-scenario.js';
import {
  gatewayKubeconfig,
  type RunningGateway,
  startGateway,
  viewerToken,
} from '../../../tools/harness/view-gateway.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { requireState } from '../../../tools/testbed/state.js';
import { deleteAllZones, install, type Installed, leadingOperator } from '../operator/operator-fixture.js';

const PAPER_NS = 'it-view-paper';
const TENANT_NS = 'it-view-tenant';
const SHOTS = process.env['ZK_SCREENSHOTS'];
const WAIT = { timeout: 90_000 };

async function signIn(page: Page, base: string, token: string): Promise<void> {
  // Signed out first: the profile may hold an earlier test's session cookie.
  await page.context().clearCookies();
  await page.goto(`${base}/ui/`);
  await page.fill('#token', token);
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('body[data-rendered]', WAIT);
}

const tileKeys = (page: Page): Promise<string[]> => attributesOf(page, '#zones .zone:not([hidden])', 'data-key');

/** The page shows every live zone of the namespace with its instances as the hub has them. */
async function pageMatchesHub(page: Page, env: Installed, ns: string): Promise<ExecutionZone[]> {
  const zones = (await listZones(env.hub, ns)).filter((z) => !isReleased(z));
  for (const z of zones) {
    const want = Object.values(z.status?.instances ?? {}).reduce((n, l) => n + Object.keys(l).length, 0);
    await waitForCount(page, `#zones .zone[data-key="${ns}/${z.metadata.name}"] circle.inst`, want);
  }
  return zones;
}

describe('web view in Chromium on the live federation', function () {
  this.timeout(480_000);
  let env: Installed;
  let op: OperatorProcess;
  let gw: RunningGateway;
  let browser: Browser;
  let adminToken = '';
  let tenantToken = '';

  before(async () => {
    const missing = chromiumMissing();
    if (missing) throw new Error(`the browser tests need Chromium: ${missing}`);
    env = await install();
    op = await leadingOperator(env, 'it-view', [PAPER_NS, TENANT_NS]);
    const state = requireState();
    gw = await startGateway(await gatewayKubeconfig(state, env.hub), join(state.dir, 'logs', 'gateway-view.log'));
    adminToken = await viewerToken(env.hub, 'zonekeeper-system', 'view-admin', true);
    tenantToken = await viewerToken(env.hub, TENANT_NS, 'view-tenant', false);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await gw?.proc.kill('SIGTERM');
    if (env && op?.running)
      for (const ns of [PAPER_NS, TENANT_NS])
        await deleteAllZones(env.hub, ns).catch((e: unknown) => console.error(`[view-it] cleanup: ${String(e)}`));
    if (env) await deleteIfExists(env.hub, 'ClusterRoleBinding', 'zonekeeper-system-view-admin');
    await op?.kill('SIGTERM');
  });

  it("the paper's scenario appears as it is applied, and a STOP takes its zone away without a reload", async () => {
    const page = await browser.context.newPage();
    await signIn(page, gw.base, adminToken);
    assert.equal(await page.locator('#providers tbody tr').count(), 8);
    await page.evaluate('window.zkSamePage = true');
    const steps = paperScenario(join(repoRoot(), 'examples', 'paper', 'messages.json'), PAPER_NS);
    const whole = steps.find((s) => s.kind === 'release' && !s.release.spec.instances);
    assert.ok(whole && whole.kind === 'release');
    const wholeKey = `${PAPER_NS}/${whole.release.spec.zoneRef.name}`;
    for (const step of steps) {
      if (step === whole) {
        // The zone is on the page until its STOP.
        await page.waitForSelector(`#zones .zone[data-key="${wholeKey}"]`, WAIT);
      }
      if (step.kind === 'zone') {
        await apply(env.hub, step.zone);
        await waitZoneObserved(env.hub, PAPER_NS, step.zone.metadata.name);
        await page.waitForSelector(`#zones .zone[data-key="${PAPER_NS}/${step.zone.metadata.name}"]`, WAIT);
      } else {
        await apply(env.hub, step.release);
        assert.equal((await waitReleaseDone(env.hub, PAPER_NS, step.release.metadata.name)).status?.phase, 'Succeeded');
      }
      if (step.index === 5) {
        for (const z of (await listZones(env.hub, PAPER_NS)).filter((x) => !isReleased(x)))
          await waitZoneReady(env.hub, PAPER_NS, z.metadata.name, 120_000);
        await pageMatchesHub(page, env, PAPER_NS);
        if (SHOTS) await page.screenshot({ path: join(SHOTS, 'web-view-figure3.png'), fullPage: true });
      }
    }
    await page.waitForSelector(`#zones .zone[data-key="${wholeKey}"]`, { state: 'detached', ...WAIT });
    for (const z of (await listZones(env.hub, PAPER_NS)).filter((x) => !isReleased(x)))
      await waitZoneReady(env.hub, PAPER_NS, z.metadata.name, 120_000);
    const zones = await pageMatchesHub(page, env, PAPER_NS);
    assert.equal(zones.length, 5);
    assert.deepEqual((await tileKeys(page)).sort(), zones.map((z) => `${PAPER_NS}/${z.metadata.name}`).sort());
    await waitForAll(page, '#zones .zone', 'data-state', 'ready');
    assert.equal(await page.evaluate('window.zkSamePage'), true, 'the page was not reloaded');

    // A click opens the zone's detail: VLAN, ULA network, DSCP mark and instances as the status has them.
    const z = zones.find((x) => x.metadata.name.startsWith('755b94a1')) as ExecutionZone;
    await page.click(`#zones .zone[data-key="${PAPER_NS}/${z.metadata.name}"]`);
    await page.waitForSelector('#detail:not([hidden])');
    assert.equal(await page.textContent('#detail [data-field=vlan]'), String(z.status?.vlanId));
    assert.equal(await page.textContent('#detail [data-field=network]'), z.status?.network);
    assert.match(
      (await page.textContent('#detail [data-field=marking]')) ?? '',
      new RegExp(`^${z.status?.marking} \\(DSCP \\d+\\)$`),
    );
    assert.equal(await page.locator('#detail table:first-of-type tbody tr').count(), 4);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'web-view-detail.png') });
    await page.click('#close-detail');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'web-view.png'), fullPage: true });
    const html = await page.content();
    assert.doesNotMatch(html, /kubeconfig/i, 'no kubeconfig reference reaches the page');
    await page.close();
  });

  it('a zone waiting for capacity shows, per provider, why it cannot be placed', async () => {
    const id = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    // 40 containers of 16 cores: no container provider has 640 cores, and the VM providers run no containers.
    await apply(env.hub, {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ExecutionZone',
      metadata: { name: 'too-big', namespace: TENANT_NS },
      spec: {
        applicationId: id,
        groups: [
          {
            name: 'big',
            environment: 'container',
            platformType: 'cloud+fog',
            resourceType: 'CPU',
            count: 40,
            cores: 16,
            memory: 1024,
            storage: 1024,
            image: 'busybox',
          },
        ],
      },
    });
    const z = await waitZoneObserved(env.hub, TENANT_NS, 'too-big');
    assert.equal(getCondition(z.status?.conditions, 'Placed')?.reason, 'NoMatchingProvider');
    const page = await browser.context.newPage();
    await signIn(page, gw.base, adminToken);
    const tile = `#zones .zone[data-key="${TENANT_NS}/too-big"][data-state=waiting]`;
    await page.waitForSelector(tile, WAIT);
    await page.click(tile);
    await page.waitForSelector('#reasons', WAIT);
    const lines = await page.locator('#reasons li').allTextContents();
    // The page shows the core's explanation as the operator wrote it: one
    // line per entry, grouped by cause (capacity on the container members,
    // the environment on the VM members).
    const entries = z.status?.placement ?? [];
    assert.ok(entries.length > 0, 'the zone has no placement explanation in status');
    assert.equal(lines.length, entries.length, lines.join('\n'));
    entries.forEach((e, i) => assert.ok(lines[i]?.includes(e.reason), `line ${i}: ${lines[i]} lacks ${e.reason}`));
    assert.ok(
      lines.some((l) => /insufficient capacity/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /environment VM, group needs container/.test(l)),
      lines.join('\n'),
    );
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'web-view-waiting.png') });
    // The namespace filter leaves only that namespace's zones.
    await page.click('#close-detail');
    await page.selectOption('#namespace', TENANT_NS);
    assert.deepEqual(await tileKeys(page), [`${TENANT_NS}/too-big`]);
    await page.close();
  });

  it("a tenant's token shows only the zones of its namespace", async () => {
    const tenant = await launchBrowser();
    try {
      const page = await tenant.context.newPage();
      await signIn(page, gw.base, tenantToken);
      await page.waitForSelector(`#zones .zone[data-key="${TENANT_NS}/too-big"]`, WAIT);
      assert.deepEqual(await tileKeys(page), [`${TENANT_NS}/too-big`]);
      assert.deepEqual(await attributesOf(page, '#namespace option', 'value'), ['', TENANT_NS]);
      assert.doesNotMatch(await page.content(), new RegExp(PAPER_NS));
      // The providers are everyone's: the catalogue is not a secret, its credentials are not shown.
      assert.equal(await page.locator('#providers tbody tr').count(), 8);
      // A new zone in another namespace never reaches this page.
      const other = (await listZones(env.hub, PAPER_NS))[0];
      await apply(env.hub, {
        ...other,
        metadata: { name: other.metadata.name, namespace: PAPER_NS, labels: { touched: 'yes' } },
        status: undefined,
      });
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(await tileKeys(page), [`${TENANT_NS}/too-big`]);
    } finally {
      await tenant.close();
    }
  });
});
