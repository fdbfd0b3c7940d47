// A federation at internet scale for `zonectl plan`: N provider manifests
// with mixed countries, tiers, environments, vendors and transit networks,
// and M INIT messages (the paper's wire format) spread over Z zones, each
// INIT adding a group with one of a few rule lists that repeat across
// zones, as they do in practice.
//
//   node dist/bench/placement/plan-workload.js --providers N --inits M --zones Z --out DIR [--seed S] [--size small|large] [--stops SHARE]

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32, pick } from '../support/stats.js';
import { numberArg, textArg } from '../support/args.js';

const MCCS = [
  242, 238, 240, 262, 208, 222, 214, 204, 232, 260, 310, 302, 334, 724, 250, 460, 404, 655, 602, 420, 440, 450, 505,
  530,
];
const PENS = [9, 11, 674, 2011, 3902, 1894, 44957, 79, 2636, 6527];
const ASNS = [3320, 3209, 1299, 174, 3356, 6939, 2914, 7018];

/** Rule lists in the wire format: [action, value] with 0 DENY_SPECIFIC, 1 DENY_ALL, 2 ALLOW_SPECIFIC, 3 ALLOW_ALL. */
const RULES: object[] = [
  { regions: [[2, 'EEA'], [1]], countries: [[0, 240]] },
  { regions: [[2, 'EU'], [1]], countries: [[0, 240]] },
  { regions: [[2, 'BRICS'], [1]], countries: [[0, 655]], equipment: [[0, 9]] },
  { regions: [[2, 'America'], [1]], countries: [[0, 302]] },
  { regions: [[2, 'EEA'], [1]], equipment: [[0, 2011]] },
  { regions: [[2, 'EEA'], [1]], equipment: [[2, 1894], [2, 44957], [1]] },
  {
    as: [
      [0, 3320],
      [0, 174],
    ],
    equipment: [[0, 9]],
  },
  {
    regions: [
      [0, 'BRICS'],
      [0, 'MENA'],
    ],
  },
  { countries: [[2, 262], [2, 208], [1]] },
  {},
];

export interface WorkloadOptions {
  providers: number;
  inits: number;
  zones: number;
  seed: number;
  /** 'large' asks for more per group, so that a small catalogue fills up and zones wait. */
  size: 'small' | 'large';
  /** Share of messages that are a STOP of a whole zone, after the first INITs (0 by default). */
  stops?: number;
}

export function providersYaml(n: number, seed: number): string {
  const rnd = mulberry32(seed);
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    const types = ['CPU'];
    if (rnd() < 0.4) types.push('GPU');
    if (rnd() < 0.3) types.push('FPGA');
    const pens = [...new Set([pick(rnd, PENS), pick(rnd, PENS)])];
    const asns = rnd() < 0.8 ? [pick(rnd, ASNS)] : [];
    docs.push(
      [
        'apiVersion: zonekeeper.io/v1alpha1',
        'kind: ProviderCluster',
        `metadata: {name: p${i}}`,
        'spec:',
        `  providerName: P${i}`,
        `  catalogueOrder: ${i}`,
        `  country: ${pick(rnd, MCCS)}`,
        `  tier: ${rnd() < 0.3 ? 'fog' : 'cloud'}`,
        `  environment: ${rnd() < 0.5 ? 'VM' : 'container'}`,
        `  resourceTypes: [${types.join(', ')}]`,
        `  equipment: [${pens.join(', ')}]`,
        ...(asns.length ? [`  autonomousSystems: [${asns.join(', ')}]`] : []),
        '  capacity: {cores: 64, memory: 262144, storage: 4194304, gpus: 8, fpgas: 8}',
      ].join('\n'),
    );
  }
  return docs.join('\n---\n') + '\n';
}

function uuid(z: number): string {
  return `00000000-0000-4000-8000-${z.toString(16).padStart(12, '0')}`;
}

export function messagesJson(o: WorkloadOptions): string {
  const rnd = mulberry32(o.seed * 31 + 1);
  const big = o.size === 'large';
  const zoneRules = Array.from({ length: o.zones }, () => pick(rnd, RULES));
  const lines: string[] = [];
  for (let m = 0; m < o.inits; m++) {
    // Every zone gets its first INIT before any zone gets a second one.
    const z = m < o.zones ? m : Math.floor(rnd() * o.zones);
    if (m >= o.zones && rnd() < (o.stops ?? 0)) {
      lines.push(JSON.stringify({ type: 'STOP', application_id: uuid(z) }));
      continue;
    }
    const msg = {
      type: 'INIT',
      application_id: uuid(z),
      privacy: zoneRules[z],
      ...(rnd() < 0.5 ? { performance: 'latency' } : {}),
      environment: rnd() < 0.5 ? 'VM' : 'container',
      platform_type: pick(rnd, ['cloud', 'fog', 'cloud+fog']),
      resource_type: pick(rnd, ['CPU', 'CPU', 'CPU', 'GPU', 'FPGA']),
      'instance-count': 1 + Math.floor(rnd() * (big ? 8 : 4)),
      'instance-details': {
        cores: 1 + Math.floor(rnd() * (big ? 16 : 4)),
        memory: 1024,
        storage: 8192,
        image: 'Ubuntu-22.04',
      },
    };
    lines.push(JSON.stringify(msg));
  }
  return `[\n${lines.join(',\n')}\n]\n`;
}

export function writeWorkload(dir: string, o: WorkloadOptions): { providers: string; messages: string } {
  mkdirSync(dir, { recursive: true });
  const providers = join(dir, `providers-${o.providers}.yaml`);
  const messages = join(dir, `messages-${o.inits}-${o.zones}-${o.size}${o.stops ? `-stops${o.stops}` : ''}.json`);
  writeFileSync(providers, providersYaml(o.providers, o.seed));
  writeFileSync(messages, messagesJson(o));
  return { providers, messages };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = textArg('size', 'small');
  if (size !== 'small' && size !== 'large') throw new Error('--size: small or large');
  const files = writeWorkload(textArg('out', 'plan-workload'), {
    providers: numberArg('providers', 10000),
    inits: numberArg('inits', 10000),
    zones: numberArg('zones', 3000),
    seed: numberArg('seed', 1),
    size,
    stops: numberArg('stops', 0),
  });
  console.log(`${files.providers}\n${files.messages}`);
}
