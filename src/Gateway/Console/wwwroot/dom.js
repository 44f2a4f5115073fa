// CloudSentinel console, part 1 of 4: building DOM and SVG nodes, formatting money, calling the gateway.
// Text always becomes text nodes, never markup. The parts share one namespace, window.CloudSentinel.
'use strict';

(() => {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const usdFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const usdShort = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });

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
      try { message = JSON.parse(text).detail || message; } catch (e) { /* not an RFC 9457 problem */ }
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return { text, json: JSON.parse(text) };
  }

  window.CloudSentinel = { h, s, money, moneyShort, percent, hourText, hourOnly, enc, usdCell, card, kpi, table, link, api };
})();
