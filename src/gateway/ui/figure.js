// Figures 3 and 4 of the paper, one zone at a time: a blue ring per zone,
// an inner circle per instance sized by its cores and filled with its
// provider's colour. Each zone is its own small SVG, so a change redraws
// one zone, not the whole federation.
'use strict';
(function () {
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

  function esc(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }

  /** Provider name -> colour, in catalogue order (stable while the catalogue is). */
  function colours(providers) {
    const map = new Map();
    providers.forEach((p, i) => map.set(p.name, PALETTE[i % PALETTE.length]));
    return map;
  }

  /** Circles on rings around the centre, largest first. */
  function pack(dots) {
    const sorted = dots.slice().sort((a, b) => b.r - a.r);
    if (sorted.length <= 1) return sorted.map((d) => ({ d, x: 0, y: 0 }));
    const out = [];
    let ring = 0;
    let i = 0;
    while (i < sorted.length) {
      const rmax = sorted[i].r;
      const radius = ring === 0 ? rmax * 1.2 : ring;
      const fit = Math.max(1, Math.floor((2 * Math.PI * radius) / (2 * rmax * 1.15)));
      const take = sorted.slice(i, i + fit);
      take.forEach((d, k) => {
        const a = (2 * Math.PI * k) / take.length - Math.PI / 2;
        out.push({ d, x: radius * Math.cos(a), y: radius * Math.sin(a) });
      });
      ring = radius + 2.3 * rmax;
      i += take.length;
    }
    return out;
  }

  const STATE_TEXT = { waiting: 'waiting', degraded: 'degraded', progressing: '…', deleting: 'deleting' };

  /** One zone as a <figure> (HTML string); data-* attributes carry what filters and tests read. */
  function zoneTile(z, colourOf, selected) {
    const dots = z.instances.map((i) => ({ i, r: 6 + 3 * Math.sqrt(i.cores) }));
    const placed = pack(dots);
    const extent = placed.reduce((m, p) => Math.max(m, Math.hypot(p.x, p.y) + p.d.r), 16);
    const R = extent + 8;
    const size = Math.ceil(2 * R + 4);
    const c = size / 2;
    const parts = [
      `<svg width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="zone ${esc(z.name)}">`,
    ];
    parts.push(`<circle class="ring" cx="${c}" cy="${c}" r="${R.toFixed(1)}"/>`);
    for (const p of placed) {
      const i = p.d.i;
      const cls = i.phase === 'Running' ? 'inst' : 'inst pending';
      parts.push(
        `<circle class="${cls}" data-provider="${esc(i.provider)}" cx="${(c + p.x).toFixed(1)}" cy="${(c + p.y).toFixed(1)}" r="${p.d.r.toFixed(1)}" fill="${colourOf.get(i.provider) || '#eee'}"><title>${esc(`${i.name} on ${i.provider}: ${i.phase}`)}</title></circle>`,
      );
      parts.push(
        `<text x="${(c + p.x).toFixed(1)}" y="${(c + p.y + 3.5).toFixed(1)}" text-anchor="middle" font-size="9">${esc(i.name)}</text>`,
      );
    }
    if (STATE_TEXT[z.state] && z.instances.length === 0)
      parts.push(`<text x="${c}" y="${c + 3}" text-anchor="middle" font-size="10">${STATE_TEXT[z.state]}</text>`);
    parts.push('</svg>');
    const label = `${z.name.length > 14 ? z.name.slice(0, 5) + '…' + z.name.slice(-5) : z.name}${z.vlan !== undefined ? ' · VLAN ' + z.vlan : ''}`;
    return `<figure class="zone${selected ? ' selected' : ''}" tabindex="0" data-key="${esc(z.key)}" data-namespace="${esc(z.namespace)}" data-state="${z.state}" title="${esc(`${z.namespace}/${z.name} (${z.state})`)}">${parts.join('')}<figcaption>${esc(label)}</figcaption></figure>`;
  }

  window.zkFigure = { colours, zoneTile, esc };
})();
