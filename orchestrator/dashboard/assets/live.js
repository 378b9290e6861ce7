// Helpers shared by the dashboard's pages: DOM building (no innerHTML: data is never markup),
// number formats, and the live connection (Server-Sent Events with the session cookie).

/** An element with attributes (`class`, `data-*`, …) and children (nodes or text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attrs);
  node.append(...children.flat(Number.POSITIVE_INFINITY).filter((c) => c !== null && c !== undefined));
  return node;
}

const svgNs = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes and children. */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(svgNs, tag);
  setAttributes(node, attrs);
  node.append(...children.flat(Number.POSITIVE_INFINITY).filter((c) => c !== null && c !== undefined));
  return node;
}

function setAttributes(node, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, String(value));
  }
}

/** A numeric column's heading (right-aligned). */
export const num = (label) => ({ label, number: true });

/** Replaces a table's rows: `head` names the columns, each row is an array of cells (text or nodes). */
export function fillTable(table, head, rows, empty = 'none yet') {
  const header = el(
    'tr',
    {},
    head.map((h) => el('th', { class: h.number ? 'number' : null }, h.label ?? h)),
  );
  const body =
    rows.length === 0
      ? [el('tr', {}, el('td', { class: 'na', colspan: head.length }, empty))]
      : rows.map((row) =>
          row instanceof Element
            ? row
            : el(
                'tr',
                {},
                row.map((cell) => cellOf(cell)),
              ),
        );
  table.replaceChildren(el('thead', {}, header), el('tbody', {}, body));
}

const cellOf = (cell) => {
  if (cell instanceof Element && cell.tagName === 'TD') return cell;
  if (typeof cell === 'number') return el('td', { class: 'number' }, formatNumber(cell));
  if (cell === null || cell === undefined) return el('td', { class: 'na' }, 'n/a');
  return el('td', {}, cell);
};

export const formatNumber = (n) =>
  n === null || n === undefined ? 'n/a' : Number.isInteger(n) ? n.toLocaleString('en') : n.toFixed(2);

/** Minor units as an amount, e.g. 12345 EUR → "123.45 EUR". */
export const formatMoney = (minor, currency) =>
  minor === null || minor === undefined ? 'n/a' : `${(minor / 100).toFixed(2)} ${currency}`;

export const formatTime = (iso) => new Date(iso).toLocaleTimeString('en-GB', { hour12: false });

export const statusBadge = (status) => el('span', { class: `status ${status}` }, status);

/**
 * Follows an event stream: `onData` gets each `data:` event's JSON. The connection indicator says
 * live, reconnecting, or signed out (a 401 ends the stream: EventSource cannot read the status).
 */
export function follow(url, onData) {
  const indicator = document.getElementById('connection');
  const show = (state, text) => {
    indicator.dataset.state = state;
    indicator.textContent = text;
  };
  const source = new EventSource(url);
  source.addEventListener('open', () => show('live', '● live'));
  source.addEventListener('message', (event) => {
    show('live', '● live');
    onData(JSON.parse(event.data));
  });
  source.addEventListener('problem', (event) => show('down', `problem: ${JSON.parse(event.data)}`));
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) {
      show('down', 'disconnected: reload, or sign in again with ?token=');
    } else {
      show('connecting', 'reconnecting…');
    }
  });
  return source;
}
