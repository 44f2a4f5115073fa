// CloudSentinel console, part 3 of 4: the pages (overview, all services, service, cluster), built from the APIs' JSON.
'use strict';

(() => {
  const { h, money, percent, hourText, hourOnly, enc, usdCell, card, kpi, table, link, hourBars, budgetBullet, serviceChart, breakdown } = window.CloudSentinel;

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

  /** One line (none without the durable log): how far applying is behind what was acknowledged (the same for every tenant), and whether ingest pushes back. */
  function ingestLine(ingest) {
    if (!ingest.durable) return [];
    const behind = `Applying is ${ingest.applyLagSeconds.toFixed(1)} s behind acknowledged data (bound ${ingest.maxApplyLagSeconds} s); ` +
      `${ingest.backlogMessages.toLocaleString('en-US')} messages waiting (cap ${ingest.maxBacklogMessages.toLocaleString('en-US')}), draining ${ingest.drainPerSecond.toLocaleString('en-US')}/s.`;
    return [h('p', { id: 'ingest-status', class: ingest.refusing ? 'over' : 'muted' },
      ingest.refusing ? `${behind} Ingest answers 503, retry after ${ingest.retryAfterSeconds} s: ${ingest.reason}.` : behind)];
  }

  function overview(tenant, summary, clusters, ingest) {
    // Null until every service's forecast is computed: a partial sum is never shown as the tenant's forecast.
    const f = summary.forecast;
    const progress = summary.forecastServices;
    const budget = summary.budgetUsd;
    const ratio = budget && f ? (f.forecastUsd / budget) * 100 : null;
    const month = summary.month.slice(0, 7);
    const top = summary.topServices;
    return [
      h('h1', {}, `${tenant}: overview`),
      ...ingestLine(ingest),
      h('div', { class: 'kpis' },
        kpi('kpi-mtd', `Month to date (${month})`, summary.monthToDateUsd, `through ${hourOnly(summary.runningHour)} UTC, the running hour included`),
        kpi('kpi-forecast', 'Forecast for the month', f ? f.forecastUsd : progress.services ? 'warming up' : 'none yet',
          f ? `95% band ${money(f.lowerUsd)} – ${money(f.upperUsd)}`
            : progress.services ? `forecast warming up: ${progress.computed} of ${progress.services} services` : 'services have too little history'),
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

  Object.assign(window.CloudSentinel, { overview, servicePage, servicesPage, clusterPage });
})();
