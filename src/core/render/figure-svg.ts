// Figures 3 and 4 of the paper as SVG: the set of zones (red), every zone an
// outer circle (blue), every instance an inner circle (black outline) sized
// by cores and filled with its provider's colour, with a legend. Pure: it
// returns the document as a string.

import type { Listing3Zone } from './listing3.js';

const PALETTE = [
  '#8dd3c7',
  '#ffffb3',
  '#bebada',
  '#fb8072',
  '#80b1d3',
  '#fdb462',
  '#b3de69',
  '#fccde5',
  '#d9d9d9',
  '#bc80bd',
  '#ccebc5',
  '#ffed6f',
];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface Dot {
  name: string;
  provider: string;
  r: number;
}

/** Places circles of radius r on rings around the centre, largest first. */
function pack(dots: Dot[]): { dot: Dot; x: number; y: number }[] {
  const sorted = [...dots].sort((a, b) => b.r - a.r);
  const out: { dot: Dot; x: number; y: number }[] = [];
  if (sorted.length === 1) return [{ dot: sorted[0], x: 0, y: 0 }];
  let ring = 0;
  let i = 0;
  while (i < sorted.length) {
    const rmax = sorted[i].r;
    const radius = ring === 0 ? rmax * 1.2 : ring;
    const circumference = 2 * Math.PI * radius;
    const fit = Math.max(1, Math.floor(circumference / (2 * rmax * 1.15)));
    const take = sorted.slice(i, i + fit);
    take.forEach((d, k) => {
      const a = (2 * Math.PI * k) / take.length - Math.PI / 2;
      out.push({ dot: d, x: radius * Math.cos(a), y: radius * Math.sin(a) });
    });
    ring = radius + 2.3 * rmax;
    i += take.length;
  }
  return out;
}

export function renderFigure(
  zones: Record<string, Listing3Zone>,
  title: string,
  providerOrder: readonly string[],
): string {
  const colour = new Map<string, string>();
  providerOrder.forEach((p, i) => colour.set(p, PALETTE[i % PALETTE.length]));
  const layouts = Object.entries(zones).map(([id, z]) => {
    const dots: Dot[] = [];
    for (const [provider, inst] of Object.entries(z.instances)) {
      for (const [name, i] of Object.entries(inst)) dots.push({ name, provider, r: 9 + 4 * Math.sqrt(i.cores) });
    }
    const placed = pack(dots);
    const extent = placed.reduce((m, p) => Math.max(m, Math.hypot(p.x, p.y) + p.dot.r), 30);
    return { id, z, placed, radius: extent + 14 };
  });
  const cols = Math.max(1, Math.ceil(Math.sqrt(layouts.length)));
  const cell = Math.max(160, ...layouts.map((l) => 2 * l.radius + 40));
  const rows = Math.ceil(layouts.length / cols) || 1;
  const legendH = 24 + 20 * providerOrder.length;
  const width = cols * cell + 60;
  const height = 60 + rows * cell + legendH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
  );
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="16">${esc(title)}</text>`);
  parts.push(
    `<rect x="10" y="34" width="${width - 20}" height="${rows * cell + 16}" fill="none" stroke="red" stroke-width="2" rx="12"/>`,
  );
  layouts.forEach((l, k) => {
    const cx = 30 + (k % cols) * cell + cell / 2;
    const cy = 42 + Math.floor(k / cols) * cell + cell / 2;
    parts.push(`<g class="zone" data-application-id="${esc(l.id)}">`);
    parts.push(
      `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${l.radius.toFixed(1)}" fill="none" stroke="blue" stroke-width="2"/>`,
    );
    parts.push(
      `<text x="${cx.toFixed(1)}" y="${(cy - l.radius - 4).toFixed(1)}" text-anchor="middle" font-size="11">${esc(`${l.id.slice(0, 5)}…${l.id.slice(-5)} VLAN ${l.z.vlan_id}`)}</text>`,
    );
    for (const p of l.placed) {
      const x = cx + p.x;
      const y = cy + p.y;
      parts.push(
        `<circle class="instance" data-provider="${esc(p.dot.provider)}" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${p.dot.r.toFixed(1)}" fill="${colour.get(p.dot.provider) ?? '#eeeeee'}" stroke="black"/>`,
      );
      parts.push(
        `<text x="${x.toFixed(1)}" y="${(y + 4).toFixed(1)}" text-anchor="middle" font-size="11">${esc(p.dot.name)}</text>`,
      );
    }
    parts.push('</g>');
  });
  const ly = 60 + rows * cell;
  parts.push(`<text x="20" y="${ly}" font-size="13">Providers</text>`);
  providerOrder.forEach((p, i) => {
    const y = ly + 12 + 20 * i;
    parts.push(`<rect x="20" y="${y}" width="14" height="14" fill="${colour.get(p)}" stroke="black"/>`);
    parts.push(`<text x="42" y="${y + 12}" font-size="12">${esc(p)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
