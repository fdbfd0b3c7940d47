// The live view: signs in once (the gateway turns the token into an
// HttpOnly session cookie), then follows /api/view/events. The first event
// is the snapshot; every later one changes some zones or the catalogue, and
// only those zones are redrawn.
'use strict';
(function () {
  const { colours, zoneTile, esc } = window.zkFigure;
  const $ = (id) => document.getElementById(id);
  const state = { providers: [], zones: new Map(), colourOf: new Map(), selected: null, namespace: '', source: null };

  function fmtCap(used, free, unit) {
    if (used === undefined && free === undefined) return '–';
    const total = (used || 0) + (free || 0);
    const pct = total > 0 ? Math.round((100 * (used || 0)) / total) : 0;
    // SVG, not a styled element: the page's CSP allows no inline styles.
    return `<svg class="bar" width="60" height="8" role="img" aria-label="${pct}% used"><rect width="60" height="8" rx="3" fill="#e0e0e0"/><rect width="${(0.6 * pct).toFixed(1)}" height="8" rx="3" fill="#1565c0"/></svg>${used || 0} / ${free || 0}${unit}`;
  }

  function renderProviders() {
    const rows = state.providers.map((p) => {
      const country = `${esc(p.country.alpha2 || p.country.code)}${p.country.name ? ' ' + esc(p.country.name) : ''}${p.country.alpha2 && p.country.alpha2 !== p.country.code ? ` <span class="muted">(${esc(p.country.code)})</span>` : ''}`;
      const gpus = p.capacity.gpus !== undefined ? fmtCap(p.used.gpus || 0, p.free.gpus || 0, '') : '–';
      return `<tr data-provider="${esc(p.name)}"><td><svg class="swatch" width="14" height="14"><rect x="0.5" y="0.5" width="13" height="13" fill="${state.colourOf.get(p.name)}" stroke="#000"/></svg>${esc(p.name)}</td><td>${country}</td><td>${esc(p.tier)}</td><td>${esc(p.environment)}</td><td>${esc(p.resourceTypes.join(', '))}</td><td>${esc(p.equipment.join(', ') || '–')}</td><td>${fmtCap(p.used.cores, p.free.cores, '')}</td><td>${fmtCap(p.used.memory, p.free.memory, ' MiB')}</td><td>${fmtCap(p.used.storage, p.free.storage, ' MiB')}</td><td>${gpus}</td><td>${p.ready ? 'yes' : `<span class="error" title="${esc(p.notReady || '')}">no</span>`}</td></tr>`;
    });
    $('providers').tBodies[0].innerHTML = rows.join('');
  }

  // Released zones hold nothing; like Figure 4, they leave the picture.
  const shown = (z) => z.state !== 'released';

  function tileFor(z) {
    const tpl = document.createElement('template');
    tpl.innerHTML = zoneTile(z, state.colourOf, z.key === state.selected);
    const el = tpl.content.firstElementChild;
    el.hidden = state.namespace !== '' && z.namespace !== state.namespace;
    return el;
  }

  function renderAllZones() {
    const html = [];
    for (const z of [...state.zones.values()].sort((a, b) => a.key.localeCompare(b.key)))
      if (shown(z)) html.push(zoneTile(z, state.colourOf, z.key === state.selected));
    $('zones').innerHTML = html.join('');
    applyFilter();
  }

  function upsertZone(z) {
    const old = $('zones').querySelector(`[data-key="${CSS.escape(z.key)}"]`);
    if (!shown(z)) {
      if (old) old.remove();
      return;
    }
    const el = tileFor(z);
    if (old) old.replaceWith(el);
    else {
      // Keep the order by key, as the first paint had it.
      const after = [...$('zones').children].find((c) => c.dataset.key > z.key);
      $('zones').insertBefore(el, after || null);
    }
  }

  function applyFilter() {
    let n = 0;
    for (const el of $('zones').children) {
      el.hidden = state.namespace !== '' && el.dataset.namespace !== state.namespace;
      if (!el.hidden) n++;
    }
    $('zone-count').textContent = `(${n})`;
    $('no-zones').hidden = n > 0;
  }

  function renderNamespaces(list) {
    const sel = $('namespace');
    const names = [...new Set([...list, ...[...state.zones.values()].map((z) => z.namespace)])].sort();
    sel.innerHTML =
      `<option value="">all</option>` +
      names
        .map((n) => `<option value="${esc(n)}"${n === state.namespace ? ' selected' : ''}>${esc(n)}</option>`)
        .join('');
    $('filter').hidden = false;
  }

  function renderDetail() {
    const box = $('detail-body');
    if (!state.selected) {
      $('detail').hidden = true;
      return;
    }
    $('detail').hidden = false;
    const z = state.zones.get(state.selected);
    if (!z || !shown(z)) {
      box.innerHTML = `<h2>${esc(state.selected)}</h2><p class="muted">This zone is gone${z ? ' (released)' : ''}.</p>`;
      return;
    }
    const rows = (list, cells) =>
      list
        .map(
          (x) =>
            `<tr>${cells(x)
              .map((c) => `<td>${esc(c)}</td>`)
              .join('')}</tr>`,
        )
        .join('');
    const marking = z.marking !== undefined ? `${z.marking} (DSCP ${parseInt(z.marking, 2)})` : '–';
    const waiting = z.reasons.length > 0 && (z.state === 'waiting' || z.state === 'degraded');
    const byGroup = new Map();
    for (const r of z.reasons) byGroup.set(r.group, [...(byGroup.get(r.group) || []), r]);
    const reasons = [...byGroup]
      .map(
        ([g, list]) =>
          `<h4>group ${esc(g)}</h4><ul class="reasons">${list.map((r) => `<li class="${esc(r.verdict)}"><b>${esc(r.provider)}</b>: ${esc(r.verdict === 'Selected' ? 'selected, ' : '')}${esc(r.reason)}</li>`).join('')}</ul>`,
      )
      .join('');
    box.innerHTML = `
      <h2>${esc(z.name)} <span class="state ${esc(z.state)}">${esc(z.state)}</span></h2>
      <dl>
        <dt>namespace</dt><dd>${esc(z.namespace)}</dd>
        <dt>application_id</dt><dd>${esc(z.applicationId)}</dd>
        <dt>VLAN</dt><dd data-field="vlan">${esc(z.vlan ?? '–')}</dd>
        <dt>network (ULA)</dt><dd data-field="network">${esc(z.network ?? '–')}</dd>
        <dt>marking</dt><dd data-field="marking">${esc(marking)}</dd>
        <dt>providers</dt><dd>${esc(z.providers.join(', ') || '–')}</dd>
        <dt>groups</dt><dd>${esc(z.groups.map((g) => `${g.name}: ${g.count}× ${g.environment} ${g.resourceType}`).join('; '))}</dd>
        ${z.releasedInstances.length ? `<dt>released</dt><dd>${esc(z.releasedInstances.join(', '))}</dd>` : ''}
      </dl>
      ${waiting ? `<section id="reasons"><h3>Why it cannot be placed</h3>${reasons}</section>` : ''}
      <h3>Instances</h3>
      ${z.instances.length ? `<table><thead><tr><th>Provider</th><th>Name</th><th>Group</th><th>Cores</th><th>Memory</th><th>Storage</th><th>Address</th><th>State</th></tr></thead><tbody>${rows(z.instances, (i) => [i.provider, i.name, i.group, i.cores, i.memory, i.storage, i.address, i.phase])}</tbody></table>` : '<p class="muted">none</p>'}
      <h3>Conditions</h3>
      <table><thead><tr><th>Type</th><th>Status</th><th>Reason</th><th>Message</th></tr></thead><tbody>${rows(z.conditions, (c) => [c.type, c.status, c.reason, c.message])}</tbody></table>
      ${!waiting && reasons ? `<details><summary>Last placement decision</summary>${reasons}</details>` : ''}`;
  }

  function select(key) {
    const prev = $('zones').querySelector('.zone.selected');
    if (prev) prev.classList.remove('selected');
    state.selected = key;
    if (key) {
      const el = $('zones').querySelector(`[data-key="${CSS.escape(key)}"]`);
      if (el) el.classList.add('selected');
    }
    renderDetail();
  }

  function onSnapshot(s) {
    const t0 = performance.now();
    if (!window.zkSnapshotAt) window.zkSnapshotAt = t0;
    const first = !document.body.dataset.rendered;
    state.providers = s.providers;
    state.colourOf = colours(s.providers);
    state.zones = new Map(s.zones.map((z) => [z.key, z]));
    $('who').textContent = `${s.viewer.user}${s.viewer.all ? ' (all namespaces)' : ''}`;
    renderProviders();
    renderNamespaces(s.viewer.namespaces);
    renderAllZones();
    renderDetail();
    $('view').hidden = false;
    if (first) {
      // First paint: what the bench and the browser tests wait for.
      window.zkRenderMs = performance.now() - t0;
      requestAnimationFrame(() => {
        window.zkFirstPaint = performance.now();
        document.body.dataset.rendered = String(s.zones.length);
      });
    }
  }

  function onChange(c) {
    if (c.providers) {
      state.providers = c.providers;
      const before = [...state.colourOf].join();
      state.colourOf = colours(c.providers);
      renderProviders();
      if ([...state.colourOf].join() !== before) renderAllZones();
    }
    for (const key of c.removed) {
      state.zones.delete(key);
      const el = $('zones').querySelector(`[data-key="${CSS.escape(key)}"]`);
      if (el) el.remove();
    }
    const newNamespace = c.zones.some((z) => ![...state.zones.values()].some((o) => o.namespace === z.namespace));
    for (const z of c.zones) {
      state.zones.set(z.key, z);
      upsertZone(z);
    }
    if (newNamespace || c.removed.length) renderNamespaces([]);
    applyFilter();
    if (state.selected && (c.removed.includes(state.selected) || c.zones.some((z) => z.key === state.selected)))
      renderDetail();
    window.zkLastChange = performance.now();
    document.body.dataset.changes = String(Number(document.body.dataset.changes || 0) + 1);
  }

  function live(on, text) {
    $('live').className = `live ${on ? 'on' : 'off'}`;
    $('live').textContent = text;
  }

  function connect() {
    if (state.source) state.source.close();
    const es = new EventSource('/api/view/events');
    state.source = es;
    es.addEventListener('open', () => live(true, 'live'));
    es.addEventListener('snapshot', (e) => onSnapshot(JSON.parse(e.data)));
    es.addEventListener('change', (e) => onChange(JSON.parse(e.data)));
    es.addEventListener('signed-out', () => {
      es.close();
      showSignIn('Your token is no longer accepted; sign in again.');
    });
    es.addEventListener('error', async () => {
      live(false, 'reconnecting');
      // EventSource retries by itself; a 401 means the session is gone.
      const r = await fetch('/api/view/session').catch(() => undefined);
      if (r && r.status === 401) {
        es.close();
        showSignIn('');
      } else if (es.readyState === EventSource.CLOSED && state.source === es) {
        // Refused for another reason (503 while the gateway starts): try again.
        setTimeout(() => state.source === es && connect(), 1000);
      }
    });
  }

  function showSignIn(message) {
    $('view').hidden = true;
    $('detail').hidden = true;
    $('signout').hidden = true;
    $('filter').hidden = true;
    $('who').textContent = '';
    live(false, 'offline');
    $('signin').hidden = false;
    $('signin-error').textContent = message;
    $('token').focus();
  }

  function signedIn() {
    $('signin').hidden = true;
    $('signout').hidden = false;
    connect();
  }

  $('signin').addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = $('token').value.trim();
    if (!token) return;
    const r = await fetch('/api/view/session', { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    $('token').value = '';
    if (r.ok) signedIn();
    else
      $('signin-error').textContent =
        r.status === 401 ? 'The hub does not accept this token.' : `Sign-in failed (${r.status}).`;
  });
  $('signout').addEventListener('click', async () => {
    if (state.source) state.source.close();
    await fetch('/api/view/session', { method: 'DELETE' });
    state.zones.clear();
    delete document.body.dataset.rendered;
    showSignIn('Signed out.');
  });
  $('namespace').addEventListener('change', (e) => {
    state.namespace = e.target.value;
    applyFilter();
  });
  $('zones').addEventListener('click', (e) => {
    const tile = e.target.closest('.zone');
    if (tile) select(tile.dataset.key);
  });
  $('zones').addEventListener('keydown', (e) => {
    const tile = e.target.closest('.zone');
    if (tile && (e.key === 'Enter' || e.key === ' ')) select(tile.dataset.key);
  });
  $('close-detail').addEventListener('click', () => select(null));

  // Straight to the stream: a signed-in viewer's first paint costs no extra
  // round trip; a stream refused (no session) leads to the sign-in form.
  signedIn();
})();
