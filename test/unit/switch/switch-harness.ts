// Shared set-up for tests that talk to a real software switch over loopback
// gRPC: start it, open an arbitration stream, push zone_switch's pipeline.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { P4_DIR, ZONE_SWITCH_JSON } from '../../../src/p4/proto-files.js';
import { P4InfoIndex, parseP4InfoText } from '../../../src/p4/p4info.js';
import { P4RuntimeClient, type ArbitrationStream } from '../../../src/p4/p4runtime-client.js';
import type { ForwardingPipelineConfig, P4InfoMessage, Uint128 } from '../../../src/p4/p4runtime-types.js';
import { SoftwareSwitch } from '../../../src/switch/p4runtime-server.js';

export const P4INFO_TEXT = readFileSync(path.join(P4_DIR, 'zone_switch.p4info.txtpb'), 'utf8');
export const P4INFO: P4InfoMessage = parseP4InfoText(P4INFO_TEXT);
export const INDEX = new P4InfoIndex(P4INFO);
export const DEVICE = '1';
/** zone_switch's BMv2 JSON: the switch takes the tables' default actions from it. */
export const DEVICE_CONFIG = readFileSync(ZONE_SWITCH_JSON);

export const id = (name: string): number => {
  const t = INDEX.tableByName(name) ?? INDEX.actionByName(name);
  if (!t) throw new Error(`no ${name}`);
  return t.id;
};

export function pipelineConfig(cookie = '42'): ForwardingPipelineConfig {
  // A copy: tests may change it (smaller table sizes) without touching others.
  return { p4info: structuredClone(P4INFO), p4_device_config: DEVICE_CONFIG, cookie: { cookie } };
}

export interface Harness {
  sw: SoftwareSwitch;
  address: string;
  client: P4RuntimeClient;
  streams: ArbitrationStream[];
  clients: P4RuntimeClient[];
  /** Open a stream and wait for its first arbitration answer. */
  arbitrate(
    election: Uint128 | undefined,
    opts?: { role?: string; deviceId?: string; client?: P4RuntimeClient },
  ): Promise<{ stream: ArbitrationStream; code: number }>;
  newClient(): P4RuntimeClient;
  close(): void;
}

export async function startHarness(port = 0): Promise<Harness> {
  const sw = new SoftwareSwitch({ deviceId: 1n });
  const bound = await sw.start(`127.0.0.1:${port}`);
  const address = `127.0.0.1:${bound}`;
  const client = new P4RuntimeClient(address, { timeoutMs: 10_000 });
  const h: Harness = {
    sw,
    address,
    client,
    streams: [],
    clients: [client],
    async arbitrate(election, opts = {}) {
      const stream = (opts.client ?? client).openStream(opts.deviceId ?? DEVICE, election, opts.role ?? '');
      h.streams.push(stream);
      const m = await stream.next();
      return { stream, code: m.status?.code ?? 0 };
    },
    newClient() {
      const c = new P4RuntimeClient(address, { timeoutMs: 10_000 });
      h.clients.push(c);
      return c;
    },
    close() {
      for (const s of h.streams) s.end();
      for (const c of h.clients) c.close();
      sw.stop();
    },
  };
  return h;
}

/** A harness whose controller (election 0:1) is primary and has pushed the pipeline. */
export async function startProgrammed(): Promise<Harness & { election: Uint128 }> {
  const h = await startHarness();
  const election = { high: '0', low: '1' };
  await h.arbitrate(election);
  await h.client.setPipeline({
    device_id: DEVICE,
    election_id: election,
    action: 'VERIFY_AND_COMMIT',
    config: pipelineConfig(),
  });
  return Object.assign(h, { election });
}
