// The invariants the operator must keep however often it crashes, checked
// from the outside: the hub's ExecutionZone statuses and the members'
// pods and VMs.

import type { ExecutionZone } from '../../../src/core/api/types.js';
import type { Provider } from '../../../src/core/catalogue/provider.js';
import { evaluateAll } from '../../../src/core/privacy/evaluate.js';
import { RegionCatalogue } from '../../../src/core/privacy/region-catalogue.js';
import { loadAllocation } from '../../../src/core/zones/allocation.js';
import { compileZone } from '../../../src/core/zones/zone-spec.js';
import { loadCatalogue } from '../../../src/cli/load-files.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { zoneNamespace } from '../../../src/clusters/member-objects.js';
import type { MemberObject } from './operator-fixture.js';

export function catalogueProviders(file: string): Map<string, Provider> {
  return new Map(loadCatalogue(file).providers.map((p) => [p.name, p]));
}

/** Every broken invariant, as a sentence; empty when all hold. */
export function checkInvariants(
  zones: readonly ExecutionZone[],
  objects: readonly MemberObject[],
  providers: Map<string, Provider>,
): string[] {
  const problems: string[] = [];
  const vlans = new Map<number, string>();
  const addresses = new Map<string, string>();
  const used = new Map<string, { cores: number; memory: number; storage: number; gpus: number; fpgas: number }>();
  const live = new Map<string, { provider: string; zone: string }>();
  const regions = RegionCatalogue.builtin();
  for (const z of zones) {
    const key = `${z.metadata.namespace}/${z.metadata.name}`;
    const stored = z.status?.allocation;
    const loaded = stored ? loadAllocation(stored) : undefined;
    if (loaded && loaded.problems.length > 0)
      problems.push(
        `${key}: status.allocation does not read back: ${loaded.problems.map((p) => `${p.path}: ${p.reason}`).join('; ')}`,
      );
    const a = loaded?.allocation;
    if (!a) continue;
    if (a.vlanId !== undefined) {
      const other = vlans.get(a.vlanId);
      if (other) problems.push(`VLAN ${a.vlanId} is held by both ${other} and ${key}`);
      vlans.set(a.vlanId, key);
    }
    const compiled = compileZone(z.spec, regions).zone;
    for (const i of a.instances) {
      const other = addresses.get(i.address);
      if (other) problems.push(`address ${i.address} is held by both ${other} and ${key}/${i.name}`);
      addresses.set(i.address, `${key}/${i.name}`);
      const u = used.get(i.provider) ?? { cores: 0, memory: 0, storage: 0, gpus: 0, fpgas: 0 };
      u.cores += i.cores;
      u.memory += i.memory;
      u.storage += i.storage;
      if (i.resourceType === 'GPU') u.gpus++;
      if (i.resourceType === 'FPGA') u.fpgas++;
      used.set(i.provider, u);
      live.set(`${a.applicationId}/${i.name}`, { provider: i.provider, zone: key });
      if (a.released.includes(i.name)) problems.push(`${key}: ${i.name} is both live and released`);
      const p = providers.get(i.provider);
      const group = compiled?.groups.find((g) => g.spec.name === i.group);
      if (getCondition(z.status?.conditions, 'Ready')?.status === 'True' && p && group) {
        const v = evaluateAll(group.request.privacy, p);
        if (!v.pass) problems.push(`${key} is Ready but ${i.name} on ${i.provider} breaks its rules: ${v.reason}`);
      }
    }
    // Status matches what exists: every live instance has its object, in the zone's namespace.
    for (const i of a.instances) {
      const objs = objects.filter((o) => o.applicationId === a.applicationId && o.instance === i.name && !o.deleting);
      if (objs.length !== 1)
        problems.push(`${key}/${i.name}: ${objs.length} object(s) in the members, expected 1 on ${i.provider}`);
      else if (objs[0]?.provider !== i.provider || objs[0].namespace !== zoneNamespace(a.applicationId))
        problems.push(
          `${key}/${i.name} exists on ${objs[0]?.provider}/${objs[0]?.namespace}, status says ${i.provider}`,
        );
    }
  }
  for (const [name, u] of used) {
    const cap = providers.get(name)?.capacity;
    if (!cap) continue;
    for (const k of ['cores', 'memory', 'storage', 'gpus', 'fpgas'] as const)
      if (u[k] > cap[k]) problems.push(`${name}: ${k} over-used (${u[k]} > ${cap[k]})`);
  }
  for (const o of objects) {
    if (o.deleting) continue;
    const l = live.get(`${o.applicationId}/${o.instance}`);
    if (!l)
      problems.push(
        `orphan: ${o.provider} ${o.namespace}/${o.name} (${o.applicationId}/${o.instance}) is in no allocation`,
      );
    else if (l.provider !== o.provider)
      problems.push(`${o.provider} holds ${o.applicationId}/${o.instance}, which lives on ${l.provider}`);
  }
  return problems;
}
