// The ZoneRelease trigger `idle`: network idleness, judged from the
// switches' per-zone packet counter (zone_switch.p4's zone_traffic, read
// through the sidecar). Pure: the reconciler hands in the last observation
// and a new reading, and writes back what comes out.
//
// The counter says how many packets, not when. A change between two
// readings is taken as traffic at the later reading, and the first reading
// of a zone that has counted anything as traffic at that reading: both err
// towards releasing later, never earlier. A count that went down (an entry
// re-inserted, a switch restarted) is a change too. A reading that missed a
// switch, or a zone without a counted entry, is no evidence either way.

import type { ReleaseObservation } from '../core/api/types.js';

export interface TrafficReading {
  packets: bigint;
  bytes: bigint;
  /** Every switch was read. */
  complete: boolean;
  /** The zone has a counted entry on a switch that answered. */
  counted: boolean;
  readAtMs: number;
  message: string;
}

export interface IdleVerdict {
  observed: ReleaseObservation;
  fired: boolean;
  /** How long until the condition could hold at the earliest (0 when it holds or is unknown). */
  waitMs: number;
  /** What was measured, for the condition message and the Event. */
  text: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** `12m30s`-style text of a duration, to whole seconds. */
export function durationText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', s % 60 || (!h && !m) ? `${s % 60}s` : ''];
  return parts.join('');
}

export function judgeIdle(
  forMs: number,
  startedMs: number,
  previous: ReleaseObservation | undefined,
  reading: TrafficReading | { error: string },
  nowMs: number,
): IdleVerdict {
  const prev = previous?.condition === 'idle' ? previous : undefined;
  const lastMs = prev?.lastPacketTime ? Date.parse(prev.lastPacketTime) : startedMs;
  const unusable =
    'error' in reading
      ? `switch counters unavailable: ${reading.error}`
      : !reading.counted
        ? `the switches count nothing for the zone yet (not programmed): ${reading.message || 'no counted entry'}`
        : !reading.complete
          ? `not every switch was read: ${reading.message}`
          : undefined;
  if (unusable !== undefined || 'error' in reading) {
    const observed: ReleaseObservation = {
      ...(prev ?? {}),
      condition: 'idle',
      observedTime: iso(nowMs),
      lastPacketTime: iso(lastMs),
      message: unusable ?? '',
    };
    return { observed, fired: false, waitMs: 0, text: `idle: not judged, ${unusable ?? ''}` };
  }
  const packets = reading.packets.toString();
  let last = lastMs;
  if (prev?.packets !== undefined ? prev.packets !== packets : reading.packets > 0n)
    last = Math.max(lastMs, reading.readAtMs);
  const quietMs = reading.readAtMs - last;
  const fired = quietMs >= forMs;
  const observed: ReleaseObservation = {
    condition: 'idle',
    observedTime: iso(nowMs),
    packets,
    bytes: reading.bytes.toString(),
    lastPacketTime: iso(last),
  };
  const text =
    `idle: no packet in the zone's VLAN since ${iso(last)} (${durationText(quietMs)}, ` +
    `${fired ? 'at least' : 'waiting for'} ${durationText(forMs)}); ${packets} packets, ${reading.bytes} bytes counted`;
  return { observed, fired, waitMs: fired ? 0 : last + forMs - reading.readAtMs, text };
}
