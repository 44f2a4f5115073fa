// CloudSentinel console, part 2 of 4: the charts, plain SVG (and HTML bars) drawn by our own code, no library.
'use strict';

(() => {
  const { h, s, money, moneyShort, hourText, hourOnly } = window.CloudSentinel;

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

  Object.assign(window.CloudSentinel, { hourBars, budgetBullet, serviceChart, breakdown });
})();
