// dom.js - build DOM with createElement and textContent only: data never
// becomes markup (no innerHTML anywhere in podweb's page).
const SVG_NS = 'http://www.w3.org/2000/svg';

function build (el, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'text') el.textContent = String(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function h (tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

export function s (tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

export function clear (el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// A table with a caption, header cells with scope, and rows of cells
// (a cell is a value or a Node; {num: v} aligns right).
export function table (caption, headers, rows, attrs = {}) {
  return h('table', attrs,
    h('caption', null, caption),
    h('thead', null, h('tr', null, headers.map(hd => h('th', { scope: 'col', class: hd.num ? 'num' : null }, hd.text ?? hd)))),
    h('tbody', null, rows.map(row => h('tr', null, row.map((cell, i) => {
      const value = cell && typeof cell === 'object' && 'num' in cell ? cell.num : cell;
      return i === 0 && !(value instanceof Node && value.nodeName === 'FORM')
        ? h('th', { scope: 'row' }, value)
        : h('td', { class: headers[i] && headers[i].num ? 'num' : null }, value);
    })))));
}

export function errorSummary (title, message) {
  return h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' },
    h('h2', null, title), h('p', null, message));
}
