// One order's page: its saga's state chart with the path taken, the history with every command and
// reply and its payload, and the operator's retry of a FAILED saga.
import { el, fillTable, follow, formatMoney, formatTime, num, statusBadge } from './live.js';
import { drawStateChart } from './state-chart.js';

const $ = (id) => document.getElementById(id);
const orderId = decodeURIComponent(location.pathname.split('/').filter(Boolean).at(-1) ?? '');
$('order-id').textContent = orderId;
document.title = `Order ${orderId.slice(0, 8)} · saga`;

function renderSummary(order) {
  const facts = [
    ['status', statusBadge(order.status)],
    ['cancel reason', order.cancelReason ?? '—'],
    ['saga state', el('span', { id: 'saga-state' }, order.saga.state)],
    ['total', formatMoney(order.total, order.currency)],
    ['customer', order.customerId],
    ['placed', new Date(order.createdAt).toLocaleString('en-GB')],
    ['updated', new Date(order.updatedAt).toLocaleString('en-GB')],
    ['pending step', order.saga.failure ? `${order.saga.failure.step}: ${order.saga.failure.reason}` : '—'],
  ];
  $('summary').dataset.status = order.status;
  $('summary').replaceChildren(
    el(
      'dl',
      {},
      facts.map(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]),
    ),
  );
}

function renderPath(path) {
  $('path').replaceChildren(
    ...path.map((step) =>
      el(
        'li',
        { 'data-to': step.to },
        el('time', { datetime: step.at }, formatTime(step.at)),
        ' ',
        step.from === null ? `started in ${step.to}` : `${step.from} → ${step.to}`,
        el('span', { class: 'muted' }, ` (${step.cause})`),
      ),
    ),
  );
}

function renderHistory(history) {
  fillTable(
    $('history'),
    ['at', 'kind', 'type', 'state', 'payload'],
    history.map((h) => [
      el('td', {}, el('time', { datetime: h.at }, formatTime(h.at))),
      h.kind,
      h.type,
      h.fromState === null ? (h.toState ?? '') : `${h.fromState} → ${h.toState}`,
      el('td', {}, h.detail === null ? '' : el('pre', {}, JSON.stringify(h.detail, null, 1))),
    ]),
  );
}

function renderItems(order) {
  fillTable(
    $('items'),
    ['sku', num('quantity'), num('unit price'), num('expected')],
    order.items.map((i) => [
      i.sku,
      i.quantity,
      el('td', { class: 'number' }, formatMoney(i.unitPrice, order.currency)),
      el(
        'td',
        { class: 'number' },
        i.expectedUnitPrice === null ? '—' : formatMoney(i.expectedUnitPrice, order.currency),
      ),
    ]),
  );
}

const retry = $('retry');
retry.addEventListener('click', async () => {
  retry.disabled = true;
  // The custom header is what makes this request the page's own (the server refuses a POST without it).
  const response = await fetch(`/dashboard/api/orders/${encodeURIComponent(orderId)}/retry`, {
    method: 'POST',
    headers: { 'x-dashboard-request': '1' },
  });
  const body = await response.json().catch(() => ({}));
  $('retry-result').textContent =
    response.status === 202
      ? `resumed in ${body.sagaState}`
      : `${response.status}: ${body.message ?? 'failed'}`;
});

const chart = await (await fetch('/dashboard/api/saga-chart')).json();
const highlight = drawStateChart($('state-chart'), chart);

follow(`/dashboard/orders/${encodeURIComponent(orderId)}/events`, ({ order, path }) => {
  if (order === null) {
    $('summary').replaceChildren(el('p', {}, `order ${orderId} does not exist`));
    return;
  }
  renderSummary(order);
  highlight(path, order.saga.state);
  renderPath(path);
  renderItems(order);
  renderHistory(order.saga.history);
  retry.disabled = order.status !== 'FAILED';
});
