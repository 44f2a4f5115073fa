// CloudSentinel console: plain DOM and SVG, no library, no build step. It talks to this gateway's
// read APIs only (the Content-Security-Policy allows nothing else) with the session cookie, and
// re-reads the page's data every few seconds, redrawing only when the answer changed.
'use strict';

(() => {
  const REFRESH_MS = 5000;
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const usdFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const usdShort = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
  const state = { tenants: [], admin: false, timer: null, lastBody: null, route: null };

  // ---- building blocks -------------------------------------------------------------------------

  /** An element with attributes and children; text is always a text node, so no data becomes markup. */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttributes(node, attrs);
    append(node, children);
    return node;
  }

  function s(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttributes(node, attrs);
    append(node, children);
    return node;
  }

  function setAttributes(node, attrs) {
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }

  function append(node, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }

  const money = (v) => (v === null || v === undefined ? '—' : usdFormat.format(v));
  const moneyShort = (v) => usdShort.format(v);
  const percent = (v) => {
    if (v === null || v === undefined) return '—';
    const text = Math.abs(v).toFixed(1);
    return text === '0.0' ? '0.0%' : `${v > 0 ? '+' : '-'}${text}%`;
  };
  const hourText = (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  const hourOnly = (iso) => iso.slice(11, 16);
  const enc = encodeURIComponent;

  function usdCell(value, attrs) {
    return h('td', Object.assign({ class: 'num', 'data-usd': value ?? '' }, attrs || {}), money(value));
  }

  function card(title, attrs, ...children) {
    return h('section', Object.assign({ class: 'card' }, attrs || {}), h('h2', {}, title), ...children);
  }

  function kpi(id, label, value, sub) {
    return h('div', { class: 'card kpi', id },
      h('div', { class: 'label' }, label),
      h('div', { class: 'value', 'data-usd': typeof value === 'number' ? value : '' }, typeof value === 'number' ? money(value) : value),
      sub ? h('div', { class: 'sub' }, sub) : null);
  }

  function table(caption, headers, rows, attrs) {
    return h('div', { class: 'scroll' },
      h('table', attrs || {},
        h('caption', {}, caption),
        h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col', class: x.num ? 'num' : (x.narrow ? 'hide-narrow' : null) }, x.label || x)))),
        h('tbody', {}, rows)));
  }

  function link(href, text) { return h('a', { href }, text); }

  // ---- talking to the gateway ------------------------------------------------------------------

  async function api(path) {
    const response = await fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 401) { window.location.assign('/login'); throw new Error('not logged in'); }
    const text = await response.text();
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try { message = JSON.parse(text).message || message; } catch (e) { /* not JSON */ }
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return { text, json: JSON.parse(text) };
  }

  // ---- charts (plain SVG) ----------------------------------------------------------------------

  function niceMax(value) {
    if (!(value > 0)) return 1;
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
    return 10 * power;
  }

  /** Horizontal gridlines with dollar labels; returns the y scale. */
  function yAxis(chart, max, top, bottom, left, right, width) {
    const y = (v) => bottom - (v / max) * (bottom - top);
    for (let i = 0; i <= 4; i++) {
      const v = (max * i) / 4;
      chart.append(s('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), stroke: '#d0d7de', 'stroke-width': 1 }));
      chart.append(s('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, moneyShort(v)));
    }
    return y;
  }

  /** Bars of the last 24 hours; the running hour is drawn lighter because it is still filling. */
  function hourBars(hours, runningHour) {
    const width = 640, height = 220, left = 56, right = 8, top = 10, bottom = 190;
    const max = niceMax(Math.max(...hours.map((x) => x.costUsd)));
    const total = hours.reduce((a, x) => a + x.costUsd, 0);
    const chart = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'last24-title', id: 'last24-chart' },
      s('title', { id: 'last24-title' }, `Cost per hour over the last 24 hours, ${money(total)} in total; the last bar is the running hour.`));
    const y = yAxis(chart, max, top, bottom, left, right, width);
    const slot = (width - left - right) / hours.length;
    hours.forEach((x, i) => {
      const running = x.hour === runningHour;
      const bar = s('rect', {
        x: left + i * slot + 2, y: y(Math.max(0, x.costUsd)), width: Math.max(1, slot - 4), height: Math.max(0, bottom - y(Math.max(0, x.costUsd))),
        fill: running ? '#4a8ccf' : '#0b5cad', 'data-hour': x.hour, 'data-usd': x.costUsd,
      }, s('title', {}, `${hourText(x.hour)}: ${money(x.costUsd)}${running ? ' (running hour, so far)' : ''}`));
      chart.append(bar);
      if (i % 3 === 0) chart.append(s('text', { x: left + i * slot + slot / 2, y: bottom + 16, 'text-anchor': 'middle' }, hourOnly(x.hour)));
    });
    return chart;
  }

  /** Labels near an edge grow inwards, so they are never cut off. */
  const anchor = (x, width) => (x < width * 0.2 ? 'start' : x > width * 0.8 ? 'end' : 'middle');

  /**
   * A bullet chart: month to date as the solid bar, the forecast's 95% band behind it, the forecast
   * as a tick and the budget as a line.
   */
  function budgetBullet(id, mtd, forecast, budget) {
    const width = 320, height = 96, left = 8, right = 8, barTop = 28, barHeight = 28;
    const max = niceMax(Math.max(mtd, forecast ? forecast.upperUsd : 0, budget || 0) * 1.05);
    const x = (v) => left + (Math.max(0, v) / max) * (width - left - right);
    const label = [`Month to date ${money(mtd)}`, forecast ? `forecast ${money(forecast.forecastUsd)} (95% band ${money(forecast.lowerUsd)} to ${money(forecast.upperUsd)})` : 'no forecast yet',
      budget ? `budget ${money(budget)}` : 'no budget'].join(', ');
    const chart = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, id });
    chart.append(s('rect', { x: left, y: barTop, width: width - left - right, height: barHeight, fill: '#eef1f4' }));
    if (forecast) chart.append(s('rect', { x: x(forecast.lowerUsd), y: barTop, width: Math.max(1, x(forecast.upperUsd) - x(forecast.lowerUsd)), height: barHeight, fill: '#cfe0f5' }));
    chart.append(s('rect', { x: left, y: barTop + 8, width: Math.max(0, x(mtd) - left), height: barHeight - 16, fill: '#0b5cad' }));
    if (forecast) {
      chart.append(s('line', { x1: x(forecast.forecastUsd), x2: x(forecast.forecastUsd), y1: barTop - 4, y2: barTop + barHeight + 4, stroke: '#1b1f24', 'stroke-width': 3 }));
      chart.append(s('text', { x: x(forecast.forecastUsd), y: barTop - 8, 'text-anchor': anchor(x(forecast.forecastUsd), width) }, `forecast ${moneyShort(forecast.forecastUsd)}`));
    }
    if (budget) {
      chart.append(s('line', { x1: x(budget), x2: x(budget), y1: barTop - 2, y2: barTop + barHeight + 14, stroke: '#b35900', 'stroke-width': 3, 'stroke-dasharray': '5 3' }));
      chart.append(s('text', { x: x(budget), y: barTop + barHeight + 26, 'text-anchor': anchor(x(budget), width) }, `budget ${moneyShort(budget)}`));
    }
    return h('div', {}, chart, h('ul', { class: 'legend' },
      h('li', {}, h('span', { class: 'swatch sw-actual' }), 'month to date'),
      h('li', {}, h('span', { class: 'swatch sw-band' }), 'forecast, 95% band'),
      h('li', {}, h('span', { class: 'swatch sw-budget' }), 'budget')));
  }

  /** 35 days by hour: actual cost, the detector's expected cost (dashed) and the recorded anomalies (red dots). */
  function serviceChart(detail) {
    const width = 960, height = 300, left = 60, right = 10, top = 12, bottom = 270;
    const hours = detail.hours;
    const values = hours.flatMap((x) => [x.costUsd, x.expectedUsd ?? 0]);
    const max = niceMax(Math.max(...values, ...detail.anomalies.map((a) => a.actualUsd)));
    const chart = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'service-chart-title', id: 'service-chart' },
      s('title', { id: 'service-chart-title' }, `${detail.serviceName}: cost per hour over ${Math.round(hours.length / 24)} days with the expected cost; ${detail.anomalies.length} anomalies marked.`));
    const y = yAxis(chart, max, top, bottom, left, right, width);
    const start = Date.parse(hours[0].hour);
    const span = Math.max(1, Date.parse(hours[hours.length - 1].hour) - start);
    const x = (iso) => left + ((Date.parse(iso) - start) / span) * (width - left - right);
    const path = (pick) => {
      let d = '', pen = false;
      for (const point of hours) {
        const v = pick(point);
        if (v === null || v === undefined) { pen = false; continue; }
        d += `${pen ? 'L' : 'M'}${x(point.hour).toFixed(1)},${y(Math.max(0, v)).toFixed(1)}`;
        pen = true;
      }
      return d;
    };
    // A day line at each midnight for two weeks or less, else at each Monday.
    const daily = hours.length <= 14 * 24;
    hours.forEach((point) => {
      if (point.hour.endsWith('T00:00:00Z') && (daily || new Date(point.hour).getUTCDay() === 1)) {
        chart.append(s('line', { x1: x(point.hour), x2: x(point.hour), y1: top, y2: bottom, stroke: '#eef1f4' }));
        chart.append(s('text', { x: x(point.hour), y: bottom + 16, 'text-anchor': 'middle' }, point.hour.slice(5, 10)));
      }
    });
    chart.append(s('path', { d: path((p) => p.costUsd), fill: 'none', stroke: '#0b5cad', 'stroke-width': 1.4, class: 'actual-line' }));
    chart.append(s('path', { d: path((p) => p.expectedUsd), fill: 'none', stroke: '#8250df', 'stroke-width': 1.4, 'stroke-dasharray': '4 3', class: 'expected-line' }));
    for (const a of detail.anomalies) {
      if (Date.parse(a.hour) < start) continue;
      chart.append(s('circle', { cx: x(a.hour), cy: y(Math.max(0, a.actualUsd)), r: 5, fill: '#c0182b', stroke: '#fff', 'stroke-width': 1.5, class: 'anomaly-mark', 'data-hour': a.hour },
        s('title', {}, `${hourText(a.hour)}: ${money(a.actualUsd)}, expected ${money(a.expectedUsd)}, z = ${a.zscore.toFixed(2)}`)));
    }
    return h('div', {}, chart, h('ul', { class: 'legend' },
      h('li', {}, h('span', { class: 'swatch sw-actual' }), 'actual'),
      h('li', {}, h('span', { class: 'swatch sw-expected' }), 'expected (dashed)'),
      h('li', {}, h('span', { class: 'swatch sw-anomaly' }), 'anomaly')));
  }

  /**
   * Horizontal bars with their amounts, for breakdowns (cost type, provider, cluster split): an HTML
   * list, so it reads as text at any width; the bar lengths are set through the CSSOM, which the CSP allows.
   */
  function breakdown(id, caption, items, colorOf) {
    const total = items.reduce((a, x) => a + Math.max(0, x.costUsd), 0) || 1;
    const max = Math.max(...items.map((x) => x.costUsd), 0) || 1;
    return h('ul', { class: 'bars', id, 'aria-label': caption }, items.map((item) => {
      const fill = h('span', { class: 'fill' });
      fill.style.width = `${Math.max(0.5, (Math.max(0, item.costUsd) / max) * 100)}%`;
      if (colorOf) fill.style.background = colorOf(item);
      return h('li', { 'data-label': item.label, 'data-usd': item.costUsd },
        h('span', { class: 'bar-label' }, item.label), h('span', { class: 'bar', 'aria-hidden': 'true' }, fill),
        h('span', { class: 'bar-value' }, `${money(item.costUsd)} · ${((Math.max(0, item.costUsd) / total) * 100).toFixed(1)}%`));
    }));
  }

  // ---- pages -----------------------------------------------------------------------------------

  function freshnessRows(freshness, runningHour) {
    return freshness.map((f) => {
      const hoursBehind = Math.round((Date.parse(runningHour) - Date.parse(f.latestHour)) / 3600000);
      const age = hoursBehind <= 0 ? 'running hour' : `${hoursBehind} h behind`;
      return h('tr', {}, h('th', { scope: 'row' }, f.provider), h('td', {}, hourText(f.latestHour)), h('td', { class: hoursBehind > 3 ? 'fresh-old' : null }, age));
    });
  }

  function anomalyRows(tenant, anomalies, withService) {
    return anomalies.map((a) => h('tr', { class: 'anomaly-row' },
      h('td', {}, hourText(a.hour)),
      withService ? h('td', {}, link(`#/t/${enc(tenant)}/service/${enc(a.serviceName)}`, a.serviceName)) : null,
      usdCell(a.actualUsd, { class: 'num actual' }),
      usdCell(a.expectedUsd, { class: 'num expected' }),
      h('td', { class: 'num zscore' }, a.zscore.toFixed(2)),
      h('td', { class: `num ${a.direction === 'down' ? 'down' : 'up'}`, 'data-usd': a.impactUsd }, `${a.direction === 'down' ? '−' : '+'}${money(a.impactUsd)}`),
      h('td', { class: 'hide-narrow muted' }, a.reason)));
  }

  function anomalyTable(tenant, caption, anomalies, withService) {
    if (anomalies.length === 0) return h('p', { class: 'muted' }, 'No anomalies.');
    const headers = ['Hour', withService ? 'Service' : null, { label: 'Actual', num: true }, { label: 'Expected', num: true }, { label: 'z', num: true },
      { label: 'Impact', num: true }, { label: 'Why', narrow: true }].filter(Boolean);
    return table(caption, headers, anomalyRows(tenant, anomalies, withService), { id: 'anomalies' });
  }

  function serviceRows(tenant, services) {
    return services.map((x) => h('tr', { class: 'service-row', 'data-service': x.serviceName },
      h('th', { scope: 'row' }, link(`#/t/${enc(tenant)}/service/${enc(x.serviceName)}`, x.serviceName),
        x.anomalies24h ? h('span', { class: 'pill', title: 'anomalies in the last 24 hours' }, ` ${x.anomalies24h} anomal${x.anomalies24h === 1 ? 'y' : 'ies'}`) : null),
      usdCell(x.monthToDateUsd, { class: 'num mtd' }),
      usdCell(x.last7DaysUsd, { class: 'num last7' }),
      h('td', { class: `num change ${x.changePercent > 0 ? 'up' : x.changePercent < 0 ? 'down' : ''}` }, x.changePercent === null ? 'new' : percent(x.changePercent)),
      usdCell(x.budgetUsd, { class: 'num hide-narrow' }),
      usdCell(x.forecastUsd, { class: 'num hide-narrow' })));
  }

  function serviceTable(page, caption) {
    return table(caption, ['Service', { label: 'Month to date', num: true }, { label: 'Last 7 days', num: true }, { label: 'vs week before', num: true },
      { label: 'Budget', num: true, narrow: true }, { label: 'Forecast', num: true, narrow: true }], serviceRows(page.tenant, page.services), { id: 'services' });
  }

  function overview(tenant, summary, clusters) {
    const f = summary.forecast;
    const budget = summary.budgetUsd;
    const ratio = budget && f ? (f.forecastUsd / budget) * 100 : null;
    const month = summary.month.slice(0, 7);
    const top = summary.topServices;
    return [
      h('h1', {}, `${tenant}: overview`),
      h('div', { class: 'kpis' },
        kpi('kpi-mtd', `Month to date (${month})`, summary.monthToDateUsd, `through ${hourOnly(summary.runningHour)} UTC, the running hour included`),
        kpi('kpi-forecast', 'Forecast for the month', f ? f.forecastUsd : 'none yet', f ? `95% band ${money(f.lowerUsd)} – ${money(f.upperUsd)}` : 'services have too little history'),
        kpi('kpi-budget', 'Budget', budget ?? 'none', ratio === null ? 'no tenant budget set' : h('span', { class: ratio > 100 ? 'over' : 'under' }, `forecast is ${ratio.toFixed(0)}% of budget`)),
        kpi('kpi-anomalies', 'Anomalies, last 24 hours', String(summary.anomalies24h), summary.anomalies24h ? 'largest impact listed below' : 'none')),
      h('div', { class: 'grid' },
        card('Forecast against budget', { id: 'budget-card' }, budgetBullet('budget-chart', summary.monthToDateUsd, f, budget)),
        card('Last 24 hours by hour', { id: 'last24-card' }, hourBars(summary.last24Hours, summary.runningHour),
          h('details', {}, h('summary', {}, 'as a table'), table('Cost per hour', ['Hour', { label: 'Cost', num: true }],
            summary.last24Hours.map((x) => h('tr', {}, h('td', {}, hourText(x.hour)), usdCell(x.costUsd))))))),
      h('div', { class: 'grid', style: null },
        card(`Top services (${top.total} in all)`, { id: 'top-card', class: 'card wide' },
          serviceTable(top, `Ranked by the last 7 full days (${top.last7From} to ${top.last7To}, UTC), compared with the 7 days before.`),
          h('p', {}, link(`#/t/${enc(tenant)}/services`, `All ${top.total} services →`))),
        card('Current anomalies (last 24 hours)', { id: 'anomaly-card', class: 'card wide' },
          anomalyTable(tenant, `${summary.anomalies24h} anomalous service hours, largest impact first; expected is what the detector predicted, z how unusual the hour is.`, summary.anomalies, true)),
        card('Freshness by cloud', { id: 'freshness-card' },
          summary.freshness.length ? table('Newest hour with data per provider', ['Provider', 'Newest hour', 'Age'], freshnessRows(summary.freshness, summary.runningHour), { id: 'freshness' })
            : h('p', { class: 'muted' }, 'No data yet.')),
        card('Kubernetes clusters', { id: 'clusters-card' },
          clusters.length ? table('Shared cost allocated in the last 24 ended hours', ['Cluster', { label: 'Allocated', num: true }, { label: 'Services', num: true }],
            clusters.map((c) => h('tr', {}, h('th', { scope: 'row' }, link(`#/t/${enc(tenant)}/cluster/${enc(c.cluster)}`, c.cluster)), usdCell(c.last24HoursUsd), h('td', { class: 'num' }, c.services))), { id: 'clusters' })
            : h('p', { class: 'muted' }, 'No cluster allocation in the last 24 hours.'))),
    ];
  }

  function servicePage(tenant, detail) {
    const shared = detail.shared;
    const sharePercent = shared.totalUsd ? (shared.sharedUsd / shared.totalUsd) * 100 : 0;
    const f = detail.forecast;
    return [
      h('p', {}, link(`#/t/${enc(tenant)}`, `← ${tenant} overview`)),
      h('h1', {}, detail.serviceName),
      h('div', { class: 'kpis' },
        kpi('kpi-mtd', 'Month to date', detail.monthToDateUsd, 'the running hour included'),
        kpi('kpi-forecast', 'Forecast for the month', f ? f.forecastUsd : 'none yet', f ? `95% band ${money(f.lowerUsd)} – ${money(f.upperUsd)}` : 'too little history'),
        kpi('kpi-budget', 'Budget', detail.budgetUsd ?? 'none', detail.budgetUsd && f ? h('span', { class: f.forecastUsd > detail.budgetUsd ? 'over' : 'under' },
          `forecast is ${((f.forecastUsd / detail.budgetUsd) * 100).toFixed(0)}% of budget`) : null),
        kpi('kpi-shared', 'Shared infrastructure', `${sharePercent.toFixed(1)}%`, `${money(shared.sharedUsd)} of ${money(shared.totalUsd)} in ${Math.round(detail.hours.length / 24)} days`)),
      h('div', { class: 'grid' },
        card(`Cost per hour, last ${Math.round(detail.hours.length / 24)} days`, { id: 'service-chart-card', class: 'card wide' }, serviceChart(detail)),
        card('Forecast against budget', { id: 'budget-card' }, budgetBullet('budget-chart', detail.monthToDateUsd, f, detail.budgetUsd)),
        card('Cost by type', { id: 'by-type-card' }, breakdown('by-type', 'Cost by type over the period', detail.byType.map((x) => ({ label: x.label, costUsd: x.costUsd })))),
        card('Cost by cloud', { id: 'by-provider-card' }, breakdown('by-provider', 'Cost by cloud provider over the period', detail.byProvider.map((x) => ({ label: x.label, costUsd: x.costUsd })))),
        card('Shared infrastructure share', { id: 'shared-card' },
          shared.clusters.length
            ? table(`${sharePercent.toFixed(1)}% of this service's cost is its share of clusters it runs on`, ['Cluster', { label: 'Share', num: true }],
              shared.clusters.map((c) => h('tr', {}, h('th', { scope: 'row' }, link(`#/t/${enc(tenant)}/cluster/${enc(c.label)}`, c.label)), usdCell(c.costUsd))), { id: 'shared' })
            : h('p', { class: 'muted' }, 'This service runs on no shared cluster.')),
        card('Anomalies', { id: 'anomaly-card', class: 'card wide' }, anomalyTable(tenant, 'Recorded anomalous hours of this service, largest impact first.', detail.anomalies, false))),
    ];
  }

  function servicesPage(tenant, page, query) {
    const pageSize = page.limit;
    const current = Math.floor(page.offset / pageSize) + 1;
    const pages = Math.max(1, Math.ceil(page.total / pageSize));
    const to = (n, extra) => `#/t/${enc(tenant)}/services?${new URLSearchParams(Object.assign({ q: query.q || '', sort: page.sort, page: n }, extra || {}))}`;
    const search = h('form', { class: 'toolbar', role: 'search', id: 'service-search' },
      h('label', { for: 'q' }, 'Find a service'), h('input', { id: 'q', name: 'q', type: 'search', value: query.q || '' }),
      h('label', { for: 'sort' }, 'Sort by'),
      h('select', { id: 'sort', name: 'sort' }, [['last7', 'last 7 days'], ['mtd', 'month to date'], ['change', 'change'], ['name', 'name']]
        .map(([v, label]) => h('option', { value: v, selected: v === page.sort }, label))),
      h('button', { type: 'submit' }, 'Show'));
    search.addEventListener('submit', (event) => {
      event.preventDefault();
      window.location.hash = to(1, { q: search.q.value, sort: search.sort.value }).slice(1);
    });
    return [
      h('p', {}, link(`#/t/${enc(tenant)}`, `← ${tenant} overview`)),
      h('h1', {}, `${tenant}: all services`),
      card(`${page.total} services`, { class: 'card' }, search,
        serviceTable(page, `Page ${current} of ${pages}; last 7 full days ${page.last7From} to ${page.last7To} (UTC).`),
        h('nav', { class: 'pager', 'aria-label': 'Pages of services' },
          current > 1 ? link(to(current - 1), '← previous') : null,
          h('span', {}, `page ${current} of ${pages}`),
          current < pages ? link(to(current + 1), 'next →') : null)),
    ];
  }

  function clusterPage(tenant, cluster, view, hour) {
    const hourView = view.hours[0];
    const previous = new Date(Date.parse(hour) - 3600000).toISOString().replace('.000', '');
    const next = new Date(Date.parse(hour) + 3600000).toISOString().replace('.000', '');
    const nav = h('nav', { class: 'pager', 'aria-label': 'Hours' },
      link(`#/t/${enc(tenant)}/cluster/${enc(cluster)}?hour=${previous}`, '← hour before'),
      h('strong', { id: 'cluster-hour' }, hourText(hour)),
      link(`#/t/${enc(tenant)}/cluster/${enc(cluster)}?hour=${next}`, 'hour after →'));
    const head = [h('p', {}, link(`#/t/${enc(tenant)}`, `← ${tenant} overview`)), h('h1', {}, `Cluster ${cluster}`), nav];
    if (!hourView) return [...head, card('No allocation', {}, h('p', { class: 'muted' }, 'The cluster has no inputs for this hour.'))];

    const byService = new Map();
    for (const row of hourView.services) {
      const entry = byService.get(row.serviceName) || { label: row.serviceName, costUsd: 0, kubernetes: 0, storage: 0, load_balancer: 0, cpu: 0, memory: 0 };
      entry.costUsd += row.allocatedCostUsd;
      entry[row.resourceType] = (entry[row.resourceType] || 0) + row.allocatedCostUsd;
      if (row.resourceType === 'kubernetes') { entry.cpu = row.cpuAllocationPercent; entry.memory = row.memoryAllocationPercent; }
      byService.set(row.serviceName, entry);
    }
    const services = [...byService.values()].sort((a, b) => b.costUsd - a.costUsd);
    const idle = byService.get('__idle__');
    const allocated = services.reduce((a, x) => a + x.costUsd, 0);
    const pods = [...hourView.pods].map((p) => Object.assign({ total: p.cpuCostUsd + p.memoryCostUsd + p.storageCostUsd }, p)).sort((a, b) => b.total - a.total);
    const shownPods = pods.slice(0, 100);
    return [
      ...head,
      h('div', { class: 'kpis' },
        kpi('kpi-cluster-total', 'Cluster cost this hour', hourView.totals.totalUsd),
        kpi('kpi-cluster-allocated', 'Allocated to services', allocated - (idle ? idle.costUsd : 0)),
        kpi('kpi-cluster-idle', 'Idle', idle ? idle.costUsd : 0, `idle mode: ${view.idleMode}`),
        kpi('kpi-cluster-pods', 'Pods', String(pods.length))),
      h('div', { class: 'grid' },
        card('Split by service', { id: 'split-card', class: 'card wide' },
          breakdown('cluster-split', `Cluster ${cluster}, ${hourText(hour)}: cost split by service, idle included`, services, (x) => (x.label === '__idle__' ? '#8c959f' : '#0b5cad')),
          table('Each service\'s share: node (CPU and memory), storage and load balancer', ['Service', { label: 'Nodes', num: true }, { label: 'Storage', num: true },
            { label: 'Load balancer', num: true }, { label: 'CPU %', num: true, narrow: true }, { label: 'Memory %', num: true, narrow: true }, { label: 'Total', num: true }],
          services.map((x) => h('tr', { class: 'split-row', 'data-service': x.label },
            h('th', { scope: 'row' }, x.label === '__idle__' ? 'idle (__idle__)' : link(`#/t/${enc(tenant)}/service/${enc(x.label)}`, x.label)),
            usdCell(x.kubernetes), usdCell(x.storage), usdCell(x.load_balancer),
            h('td', { class: 'num hide-narrow' }, x.cpu.toFixed(2)), h('td', { class: 'num hide-narrow' }, x.memory.toFixed(2)), usdCell(x.costUsd, { class: 'num split-total' }))), { id: 'split' })),
        card(`Pods (${pods.length}${pods.length > shownPods.length ? `, the ${shownPods.length} most expensive shown` : ''})`, { id: 'pods-card', class: 'card wide' },
          table('What each pod was charged, and the weights (max of request and usage) it was charged by', ['Namespace', 'Pod', 'Service',
            { label: 'CPU', num: true }, { label: 'Memory', num: true }, { label: 'Storage', num: true }, { label: 'CPU weight (core-h)', num: true, narrow: true }, { label: 'Memory weight (GB-h)', num: true, narrow: true }],
          shownPods.map((p) => h('tr', {}, h('td', {}, p.namespace), h('td', {}, p.podName), h('td', {}, p.serviceName), usdCell(p.cpuCostUsd), usdCell(p.memoryCostUsd), usdCell(p.storageCostUsd),
            h('td', { class: 'num hide-narrow' }, p.cpuWeightCoreHours), h('td', { class: 'num hide-narrow' }, p.memoryWeightGbHours))), { id: 'pods' })),
        card('Inputs: the cluster\'s bill this hour', { id: 'inputs-card', class: 'card wide' },
          table('Cost buckets tagged with this cluster', ['Component', 'Pool', 'Provider', { label: 'Cost', num: true }],
            hourView.costs.map((c) => h('tr', {}, h('td', {}, c.key.component), h('td', {}, c.key.pool || '—'), h('td', {}, c.key.provider), usdCell(c.amount.costUsd))), { id: 'inputs' })),
        card('How each pool was split', { id: 'pools-card', class: 'card wide' },
          table('Pools, their basis, and used against idle weight', ['Pool', 'Basis', { label: 'Cost', num: true }, { label: 'Used', num: true }, { label: 'Idle', num: true }],
            hourView.pools.map((p) => h('tr', {}, h('td', {}, `${p.resourceType}${p.pool ? `: ${p.pool}` : ''}`), h('td', {}, p.basis), usdCell(p.costUsd),
              h('td', { class: 'num' }, p.usedWeight), h('td', { class: 'num' }, p.idleWeight))), { id: 'pools' }))),
    ];
  }

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
        const [summary, clusters] = await Promise.all([api(`/api/cloudsentinel/summary?tenant=${t}`), api(`/api/cloudsentinel/clusters?tenant=${t}`)]);
        return { text: summary.text + clusters.text, draw: () => overview(route.tenant, summary.json, clusters.json.clusters) };
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
