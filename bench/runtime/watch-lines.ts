// How fast a watch stream is cut into events (not a timed test):
//   node dist/bench/runtime/watch-lines.js [--events 20000] [--runs 7]
// Node's readline against the byte splitter the KubeClient uses
// (src/runtime/line-splitter.ts), on the same chunks of newline-delimited
// pod events, each path fed through a Readable as a response would be.
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { lineSplitter } from '../../src/runtime/line-splitter.js';
import { stats } from '../support/stats.js';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '20000' }, runs: { type: 'string', default: '7' } },
});
const EVENTS = Number(values.events);

// A pod event, as the member API servers send them (ASCII, like every pod the operator makes).
const pod = (i: number): string =>
  JSON.stringify({
    type: 'MODIFIED',
    object: {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: {
        name: `c${i}`,
        namespace: `zone-${i % 200}`,
        uid: `uid-${i}`,
        resourceVersion: String(1000 + i),
        labels: { 'zonekeeper.io/zone': `zone-${i % 200}`, 'zonekeeper.io/instance': `C${i % 4}` },
        managedFields: [
          { manager: 'kwok', operation: 'Update', fieldsV1: { 'f:status': { 'f:conditions': {}, 'f:phase': {} } } },
        ],
      },
      spec: {
        nodeName: 'node-1',
        containers: [
          { name: 'app', image: 'registry.example/app:1', resources: { requests: { cpu: '1', memory: '1Gi' } } },
        ],
      },
      status: {
        phase: 'Running',
        conditions: Array.from({ length: 4 }, (_, k) => ({
          type: `C${k}`,
          status: 'True',
          lastTransitionTime: '2026-12-01T12:00:00Z',
        })),
        podIP: '10.0.0.1',
        hostIP: '192.168.0.1',
        startTime: '2026-12-01T12:00:00Z',
        qosClass: 'Burstable',
      },
    },
  });
const stream = Buffer.from(Array.from({ length: EVENTS }, (_, i) => `${pod(i)}\n`).join(''));
const chunks: Buffer[] = [];
for (let i = 0; i < stream.length; i += 16384) chunks.push(stream.subarray(i, i + 16384));

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function viaReadline(): Promise<number> {
  let n = 0;
  const lines = createInterface({ input: Readable.from(chunks, { objectMode: false }) });
  for await (const line of lines) if (line !== '') n++;
  return n;
}

async function viaSplitter(): Promise<number> {
  let n = 0;
  const feed = lineSplitter((line) => {
    if (line !== '') n++;
  });
  await new Promise<void>((resolve) => {
    const r = Readable.from(chunks, { objectMode: false });
    r.on('data', feed);
    r.on('end', resolve);
  });
  return n;
}

const result: Record<string, number[]> = { readline: [], splitter: [] };
for (let r = 0; r < Number(values.runs); r++) {
  for (const [name, fn] of [
    ['readline', viaReadline],
    ['splitter', viaSplitter],
  ] as const) {
    const c0 = cpuMs();
    const n = await fn();
    result[name]?.push(cpuMs() - c0);
    if (n !== EVENTS) throw new Error(`${name}: ${n} lines, want ${EVENTS}`);
  }
}
const fmt = (xs: number[]): string => {
  const s = stats(xs);
  return `${s.median.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`;
};
const ratios = (result.readline ?? []).map((x, i) => x / (result.splitter ?? [])[i]);
process.stdout.write(
  `- ${EVENTS} watch events of ${(stream.length / EVENTS / 1024).toFixed(1)} KiB in 16 KiB chunks, CPU to cut them into lines (JSON parsing not included):\n`,
);
process.stdout.write(
  `  - readline: ${fmt(result.readline ?? [])}\n  - byte splitter: ${fmt(result.splitter ?? [])}\n  - readline / splitter, per run: ${stats(ratios).median.toFixed(2)} (min ${stats(ratios).min.toFixed(2)}, max ${stats(ratios).max.toFixed(2)})\n`,
);
