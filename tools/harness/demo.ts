// The paper's evaluation, live, on a real (local) federation.
//
//   node dist/tools/harness/demo.js [--out DIR] [--keep]   (--keep: leave the zones in place)
//
// Brings the test bed up with the paper's catalogue (Table I), installs
// zonekeeper (CRDs, RBAC, member credentials, ProviderClusters), starts
// the operator as its own ServiceAccount, applies Tables II and III as
// manifests in order (each one waits for the operator's answer, as the
// paper's messages are sequential), waits for every zone, prints the
// Listing 3 state read from the ExecutionZone statuses, counts the pods
// and VMs in each member, and draws Figures 3 and 4.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderFigure } from '../../src/core/render/figure-svg.js';
import type { Listing3Zone } from '../../src/core/render/listing3.js';
import { LABELS, MANAGED_SELECTOR, PODS, VIRTUAL_MACHINES } from '../../src/clusters/member-objects.js';
import { getCondition } from '../../src/controllers/conditions.js';
import { resourcePath, type KubeObject } from '../../src/runtime/kube-client.js';
import { up } from '../testbed/testbed.js';
import { defaultCatalogue, repoRoot } from '../testbed/paths.js';
import { memberClusters } from '../testbed/state.js';
import { apply, clearZones } from './apply.js';
import {
  isReleased,
  listZones,
  listing3FromStatus,
  waitReleaseDone,
  waitZoneObserved,
  waitZoneReady,
} from './hub-reads.js';
import { OperatorProcess } from './operator-process.js';
import { paperScenario } from './paper-scenario.js';
import { adminClient, installOnTestbed } from './testbed-setup.js';

const NAMESPACE = 'paper';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outDir = args.includes('--out') ? args[args.indexOf('--out') + 1] : join(repoRoot(), 'out');
  const say = (m: string) => process.stderr.write(`[demo] ${m}\n`);
  const t0 = Date.now();
  const state = await up({ catalogue: defaultCatalogue(), log: (m) => say(`testbed: ${m}`) });
  const { hub, operatorKubeconfig } = await installOnTestbed(state, { log: say });
  const logFile = join(state.dir, 'logs', 'zonekeeper-operator-demo.log');
  const op = new OperatorProcess({ kubeconfig: operatorKubeconfig, identity: 'demo-operator', logFile });
  const leading = op.waitLeading(60_000);
  await op.start();
  await leading;
  say(`operator running as the zonekeeper-operator ServiceAccount (pid ${op.pid}, log ${logFile})`);
  try {
    await apply(hub, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    // A fresh start: zones of an earlier run would hold the VLANs the paper numbers from 1000.
    await clearZones(hub, NAMESPACE);
    const steps = paperScenario(join(repoRoot(), 'examples', 'paper', 'messages.json'), NAMESPACE);
    let figure3: Record<string, Listing3Zone> | undefined;
    for (const step of steps) {
      if (step.kind === 'zone') {
        await apply(hub, step.zone);
        const z = await waitZoneObserved(hub, NAMESPACE, step.zone.metadata.name);
        const placed = getCondition(z.status?.conditions, 'Placed');
        say(
          `message ${step.index + 1}: INIT ${step.zone.spec.applicationId}${step.scaleUp ? ' (scale up)' : ''} -> ${placed?.status === 'True' ? `VLAN ${z.status?.vlanId}, ${z.status?.providers}` : `${placed?.reason}: ${placed?.message}`}`,
        );
      } else {
        await apply(hub, step.release);
        const r = await waitReleaseDone(hub, NAMESPACE, step.release.metadata.name);
        say(
          `message ${step.index + 1}: STOP ${step.release.spec.zoneRef.name}${step.release.spec.instances ? ` ${JSON.stringify(step.release.spec.instances)}` : ' (whole zone)'} -> ${r.status?.phase}: ${getCondition(r.status?.conditions, 'Succeeded')?.message}`,
        );
      }
      if (step.index === 5) {
        for (const z of (await listZones(hub, NAMESPACE)).filter((x) => !isReleased(x)))
          await waitZoneReady(hub, NAMESPACE, z.metadata.name, 120_000);
        figure3 = listing3FromStatus(await listZones(hub, NAMESPACE));
      }
    }
    const zones = await listZones(hub, NAMESPACE);
    for (const z of zones.filter((x) => !isReleased(x))) await waitZoneReady(hub, NAMESPACE, z.metadata.name, 120_000);
    const final = listing3FromStatus(await listZones(hub, NAMESPACE));
    process.stdout.write(JSON.stringify(final, null, 2) + '\n');
    // What the members hold, counted from the members themselves.
    const counts: string[] = [];
    for (const m of memberClusters(state)) {
      const c = await adminClient(m);
      const pods = (await c.list<KubeObject>(resourcePath(PODS), { labelSelector: MANAGED_SELECTOR })).items;
      const vms =
        m.provider?.environment === 'VM'
          ? (await c.list<KubeObject>(resourcePath(VIRTUAL_MACHINES), { labelSelector: MANAGED_SELECTOR })).items
          : [];
      const names = [...pods, ...vms]
        .map(
          (o) => `${o.metadata?.labels?.[LABELS.applicationId]?.slice(0, 5)}:${o.metadata?.labels?.[LABELS.instance]}`,
        )
        .sort();
      counts.push(
        `${m.name}: ${pods.length} pod(s), ${vms.length} VM(s)${names.length ? ` [${names.join(' ')}]` : ''}`,
      );
      c.close();
    }
    say('member clusters:\n  ' + counts.join('\n  '));
    mkdirSync(outDir, { recursive: true });
    const order = memberClusters(state).map((m) => m.name);
    if (figure3)
      writeFileSync(
        join(outDir, 'figure3.svg'),
        renderFigure(figure3, 'Figure 3: execution zones after Table II (live operator)', order),
      );
    writeFileSync(
      join(outDir, 'figure4.svg'),
      renderFigure(final, 'Figure 4: execution zones after Table III (live operator)', order),
    );
    say(
      `wrote ${join(outDir, 'figure3.svg')} and ${join(outDir, 'figure4.svg')}; ${((Date.now() - t0) / 1000).toFixed(1)} s in all`,
    );
    if (!args.includes('--keep')) await clearZones(hub, NAMESPACE);
  } finally {
    await op.kill('SIGTERM');
    hub.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[demo] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
