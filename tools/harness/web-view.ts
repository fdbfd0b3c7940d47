// The live web view on a local federation, for a person at a browser:
//
//   node dist/tools/harness/web-view.js [--port 8080] [--pause 3] [--no-scenario]
//
// Brings the test bed up (or uses the running one), installs zonekeeper,
// runs the operator and the gateway as their ServiceAccounts, prints the
// page's address and a viewer token (a ServiceAccount bound to
// zonekeeper-zone-viewer cluster-wide), then applies the paper's Tables II
// and III as manifests, one message every --pause seconds, so the page shows
// the scenario as it happens. Runs until Ctrl-C; then stops both processes.

import { join } from 'node:path';
import { up } from '../testbed/testbed.js';
import { defaultCatalogue, repoRoot } from '../testbed/paths.js';
import { apply, clearZones } from './apply.js';
import { waitReleaseDone, waitZoneObserved } from './hub-reads.js';
import { NodeChild } from './node-child.js';
import { OperatorProcess } from './operator-process.js';
import { paperScenario } from './paper-scenario.js';
import { installOnTestbed } from './testbed-setup.js';
import { gatewayKubeconfig, viewerToken } from './view-gateway.js';

const NAMESPACE = 'paper';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function main(): Promise<void> {
  const port = arg('port', '8080');
  const pauseMs = Number(arg('pause', '3')) * 1000;
  const say = (m: string) => process.stderr.write(`[web-view] ${m}\n`);
  const state = await up({ catalogue: defaultCatalogue(), log: (m) => say(`testbed: ${m}`) });
  const { hub, operatorKubeconfig } = await installOnTestbed(state, { log: say });
  const op = new OperatorProcess({
    kubeconfig: operatorKubeconfig,
    identity: 'web-view-operator',
    logFile: join(state.dir, 'logs', 'zonekeeper-operator-web-view.log'),
  });
  const leading = op.waitLeading(60_000);
  await op.start();
  await leading;
  const { proc: gateway } = await NodeChild.start({
    name: 'gateway',
    script: 'src/gateway/main.js',
    args: ['--kubeconfig', await gatewayKubeconfig(state, hub), '--port', port, '--namespace', NAMESPACE],
    ready: /"msg":"listening"/,
    logFile: join(state.dir, 'logs', 'gateway-web-view.log'),
  });
  const token = await viewerToken(hub, 'zonekeeper-system', 'web-viewer', true);
  process.stdout.write(`\nOpen http://127.0.0.1:${port}/ui/ and sign in with this token (valid 1 h):\n\n${token}\n\n`);
  const stop = async () => {
    say('stopping the gateway and the operator');
    await gateway.kill('SIGTERM');
    await op.kill('SIGTERM');
    hub.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  if (process.argv.includes('--no-scenario')) return;
  await apply(hub, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  await clearZones(hub, NAMESPACE);
  say(`applying the paper's messages, one every ${pauseMs / 1000} s`);
  for (const step of paperScenario(join(repoRoot(), 'examples', 'paper', 'messages.json'), NAMESPACE)) {
    await new Promise((r) => setTimeout(r, pauseMs));
    if (step.kind === 'zone') {
      await apply(hub, step.zone);
      const z = await waitZoneObserved(hub, NAMESPACE, step.zone.metadata.name);
      say(
        `message ${step.index + 1}: INIT ${step.zone.spec.applicationId}${step.scaleUp ? ' (scale up)' : ''} -> ${z.status?.providers ?? 'waiting'}`,
      );
    } else {
      await apply(hub, step.release);
      const r = await waitReleaseDone(hub, NAMESPACE, step.release.metadata.name);
      say(`message ${step.index + 1}: STOP ${step.release.spec.zoneRef.name} -> ${r.status?.phase}`);
    }
  }
  say('the scenario is applied; the page stays live until Ctrl-C');
}

main().catch((err: unknown) => {
  process.stderr.write(`[web-view] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
