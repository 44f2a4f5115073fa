// CloudSentinel console, part 4 of 4: routing by the address's #fragment and the refresh loop. It talks
// to this gateway's read APIs only (the Content-Security-Policy allows nothing else) with the session
// cookie, and re-reads the page's data every few seconds, redrawing only when the answer changed.
'use strict';

(() => {
  const REFRESH_MS = 5000;
  const state = { tenants: [], admin: false, timer: null, lastBody: null, failed: false };
  const { h, enc, link, api, overview, servicePage, servicesPage, clusterPage } = window.CloudSentinel;

  // ---- routing and refresh ---------------------------------------------------------------------

  function parseRoute() {
    const [path, query] = (window.location.hash.slice(1) || '/').split('?');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const params = Object.fromEntries(new URLSearchParams(query || ''));
    if (parts[0] !== 't' || !parts[1]) return { page: 'home', params };
    return { tenant: parts[1], page: parts[2] || 'overview', name: parts[3], params };
  }

  function lastEndedHour() {
    const now = new Date();
    now.setUTCMinutes(0, 0, 0);
    return new Date(now.getTime() - 3600000).toISOString().replace('.000', '');
  }

  /** Reads what the route shows; one JSON text per page, so an unchanged answer redraws nothing. */
  async function load(route) {
    const t = enc(route.tenant);
    switch (route.page) {
      case 'overview': {
        const [summary, clusters, ingest] = await Promise.all([
          api(`/api/cloudsentinel/summary?tenant=${t}`), api(`/api/cloudsentinel/clusters?tenant=${t}`), api('/api/cloudsentinel/ingest-status')]);
        return { text: summary.text + clusters.text + ingest.text, draw: () => overview(route.tenant, summary.json, clusters.json.clusters, ingest.json) };
      }
      case 'services': {
        const pageSize = 50;
        const page = Math.max(1, parseInt(route.params.page || '1', 10) || 1);
        const query = new URLSearchParams({ tenant: route.tenant, sort: route.params.sort || 'last7', offset: String((page - 1) * pageSize), limit: String(pageSize) });
        if (route.params.q) query.set('q', route.params.q);
        const result = await api(`/api/cloudsentinel/services?${query}`);
        return { text: result.text, draw: () => servicesPage(route.tenant, result.json, route.params) };
      }
      case 'service': {
        const result = await api(`/api/cloudsentinel/service?tenant=${t}&service=${enc(route.name)}`);
        return { text: result.text, draw: () => servicePage(route.tenant, result.json) };
      }
      case 'cluster': {
        const hour = route.params.hour || lastEndedHour();
        const result = await api(`/api/cloudsentinel/allocation?tenant=${t}&cluster=${enc(route.name)}&from=${enc(hour)}`);
        return { text: result.text, draw: () => clusterPage(route.tenant, route.name, result.json, hour) };
      }
      default:
        throw new Error(`no page '${route.page}'`);
    }
  }

  function setTenantControls(tenant) {
    const picker = document.getElementById('tenant-picker');
    const name = document.getElementById('tenant-name');
    const label = document.getElementById('tenant-label');
    if (state.admin) {
      picker.hidden = false;
      name.textContent = '';
      label.hidden = false;
      picker.replaceChildren(...state.tenants.map((x) => h('option', { value: x, selected: x === tenant }, x)));
    } else {
      picker.hidden = true;
      label.hidden = true;
      name.textContent = `Tenant: ${tenant}`;
    }
    const nav = document.getElementById('page-nav');
    nav.replaceChildren(link(`#/t/${enc(tenant)}`, 'Overview'), link(`#/t/${enc(tenant)}/services`, 'Services'));
  }

  async function render(fromTimer) {
    const route = parseRoute();
    const main = document.getElementById('main');
    const status = document.getElementById('status');
    if (route.page === 'home') {
      if (state.tenants.length) window.location.replace(`#/t/${enc(state.tenants[0])}`);
      else main.replaceChildren(h('h1', {}, 'No tenants yet'), h('p', { class: 'muted' }, 'No tenant has sent data.'));
      return;
    }
    const key = window.location.hash;
    if (!fromTimer) { state.lastBody = null; setTenantControls(route.tenant); }
    try {
      const result = await load(route);
      if (key !== window.location.hash) return;
      // Never redraw under someone typing into the page's search form; the next refresh catches up.
      const typing = document.activeElement && main.contains(document.activeElement) && /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
      if (fromTimer && typing) return;
      if (result.text !== state.lastBody || state.failed) {
        state.failed = false;
        const scroll = window.scrollY;
        main.replaceChildren(...result.draw());
        main.setAttribute('data-ready', route.page);
        if (fromTimer) window.scrollTo(0, scroll); else main.focus({ preventScroll: true });
        state.lastBody = result.text;
        // Said only when the data changed: a live region that spoke every 5 s would drown a screen reader.
        status.textContent = `Data as of ${new Date().toISOString().slice(11, 19)} UTC; checked every ${REFRESH_MS / 1000} s.`;
      }
    } catch (error) {
      if (key !== window.location.hash) return;
      if (!fromTimer || state.lastBody === null) {
        main.replaceChildren(h('h1', {}, 'Cannot show this page'), h('p', { class: 'error', role: 'alert', id: 'page-error' }, error.message));
        main.setAttribute('data-ready', 'error');
      }
      state.failed = true;
      status.textContent = `Refresh failed at ${new Date().toISOString().slice(11, 19)} UTC: ${error.message}`;
    }
  }

  async function start() {
    try {
      const { json } = await api('/api/cloudsentinel/tenants');
      state.tenants = json.tenants;
      state.admin = json.admin;
    } catch (error) {
      document.getElementById('main').replaceChildren(h('p', { class: 'error', role: 'alert' }, error.message));
      return;
    }
    document.getElementById('tenant-picker').addEventListener('change', (event) => { window.location.hash = `#/t/${enc(event.target.value)}`; });
    window.addEventListener('hashchange', () => render(false));
    await render(false);
    state.timer = window.setInterval(() => { if (!document.hidden) render(true); }, REFRESH_MS);
  }

  document.addEventListener('DOMContentLoaded', start);
})();
