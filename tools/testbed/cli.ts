#!/usr/bin/env node
// The test-bed command:
//
//   npm run testbed -- up [--catalogue FILE] [--with-node [--image ARCHIVE ...]]
//                                              bring hub + members up (no-op when up);
//                                              --with-node gives the hub a real node
//                                              (kubelet + containerd), --image imports
//                                              an image archive into it
//   npm run testbed -- down                    stop everything, remove the state
//   npm run testbed -- status [--json]         processes, memory, API server health
//   npm run testbed -- repair                  restart crashed processes with their flags
//   npm run testbed -- stop-apiserver NAME     stop one cluster's API server
//   npm run testbed -- start-apiserver NAME    start it again and wait until ready
//   npm run testbed -- kubeconfig NAME         print the path of a cluster's admin kubeconfig
//   npm run testbed -- load-image ARCHIVE      import an image archive into the real node
//   npm run testbed -- packets --ports FILE    start the packet stand-in (network namespaces for
//                                              running instances; FILE: a SwitchPortMap as JSON)
//   npm run testbed -- packets-stop            stop it and remove its namespaces
//
// TESTBED_DIR moves the state folder (default <repo>/.testbed).
// Exit status: 0 ok; 1 failure; 3 from `status` when a process crashed or the bed is down.

import {
  down,
  loadImage,
  repair,
  startApiServer,
  startPacketStandIn,
  status,
  stopApiServer,
  stopPacketStandIn,
  up,
} from './testbed.js';
import { resolve } from 'node:path';
import { kubeconfigPath, requireState } from './state.js';

function usage(): never {
  console.error(
    'usage: testbed up [--catalogue FILE] [--with-node [--image ARCHIVE ...]] | down | status [--json] | repair | stop-apiserver NAME | start-apiserver NAME | kubeconfig NAME | load-image ARCHIVE | packets --ports FILE | packets-stop',
  );
  process.exit(2);
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined) usage();
  return v;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const log = (m: string): void => console.error(m);
  switch (command) {
    case 'up': {
      const catalogue = option(rest, '--catalogue');
      const images = rest.flatMap((a, i) => (a === '--image' ? [rest[i + 1] ?? usage()] : []));
      const withNode = rest.includes('--with-node') || process.env['TESTBED_WITH_NODE'] === '1';
      if (images.length > 0 && !withNode) usage();
      await up({ ...(catalogue ? { catalogue } : {}), withNode, images, log });
      return 0;
    }
    case 'down':
      await down({ log });
      return 0;
    case 'status': {
      const report = await status();
      if (rest.includes('--json')) {
        console.log(JSON.stringify(report, null, 2));
      } else if (!report.up) {
        console.log(`test bed is down (no state in ${report.dir})`);
      } else {
        for (const a of report.apiServers)
          console.log(`${a.cluster.padEnd(16)} ${a.server.padEnd(26)} ${a.ready ? 'ready' : 'NOT READY'}`);
        console.log('');
        for (const p of report.processes) {
          const mem = p.rssMiB !== undefined ? `RSS ${p.rssMiB} MiB, PSS ${p.pssMiB ?? '?'} MiB` : '';
          console.log(
            `${p.cluster.padEnd(16)} ${p.role.padEnd(24)} ${String(p.pid ?? '-').padStart(7)} ${p.state.padEnd(8)} ${mem}`,
          );
        }
        // RSS counts the shared binary text once per process; PSS splits it.
        console.log(`\ntotal: RSS ${report.totalRssMiB} MiB, PSS ${report.totalPssMiB} MiB (memory really in use)`);
        for (const p of report.processes.filter((x) => x.state === 'crashed'))
          console.log(`CRASHED: ${p.cluster}/${p.role}; log: ${p.log}`);
      }
      return report.up && report.processes.every((p) => p.state !== 'crashed') ? 0 : 3;
    }
    case 'load-image':
      log(`imported ${(await loadImage(rest[0] ?? usage())).join(', ')}`);
      return 0;
    case 'packets':
      await startPacketStandIn(resolve(option(rest, '--ports') ?? usage()), { log });
      return 0;
    case 'packets-stop':
      await stopPacketStandIn({ log });
      return 0;
    case 'repair':
      await repair({ log });
      return 0;
    case 'stop-apiserver':
      await stopApiServer(rest[0] ?? usage());
      return 0;
    case 'start-apiserver':
      await startApiServer(rest[0] ?? usage());
      return 0;
    case 'kubeconfig':
      console.log(kubeconfigPath(rest[0] ?? usage(), requireState()));
      return 0;
    default:
      return usage();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
