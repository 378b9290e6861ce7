// The system page: live counters, throughput and latency, outcomes, services, stock, revenue, lag,
// dead letters and the orders table (filterable by status), from /dashboard/events every second.
import { throughputChart } from './charts.js';
import { el, fillTable, follow, formatMoney, formatNumber, formatTime, num, statusBadge } from './live.js';

const $ = (id) => document.getElementById(id);

/** The small panels, each a titled table the renderers below fill. */
const panels = [
  ['outcomes', 'Outcomes by reason', ''],
  ['services', 'Services', '· from each /metrics'],
  ['stock', 'Stock levels', ''],
  ['revenue', 'Revenue and payments', ''],
  ['lag', 'Consumer lag', ''],
  ['dead-letters', 'Dead letters', ''],
];
$('panels').replaceWith(
  ...panels.map(([id, title, note]) =>
    el(
      'section',
      { class: 'panel' },
      el('h2', {}, title, ' ', el('span', { class: 'muted' }, note)),
      el('table', { id }),
    ),
  ),
);

function counter(key, label, value) {
  return el(
    'div',
    { class: `counter ${key}`, id: `counter-${key}`, 'data-value': value ?? '' },
    el('div', { class: 'label' }, label),
    el('div', { class: 'value' }, formatNumber(value)),
  );
}

function renderCounters({ totals, sagasInFlight, throughput }) {
  // The last complete bucket: the current one is still filling.
  const done = throughput.filter((b) => b.at + 10_000 <= Date.now()).at(-1);
  const rate = done === undefined ? 0 : (done.completed + done.compensated) / 10;
  const revenue = totals.revenue.map((r) => formatMoney(r.total, r.currency)).join(', ') || '0';
  $('counters').replaceChildren(
    counter('placed', 'Orders placed', totals.placed),
    counter('in-flight', 'Sagas in flight', sagasInFlight),
    counter('completed', 'Completed', totals.byStatus.COMPLETED),
    counter('cancelled', 'Cancelled', totals.byStatus.CANCELLED),
    counter('failed', 'Failed', totals.byStatus.FAILED),
    counter('rate', 'Ended / s (10 s)', rate),
    el(
      'div',
      { class: 'counter revenue', id: 'counter-revenue' },
      el('div', { class: 'label' }, 'Revenue'),
      el('div', { class: 'value' }, revenue),
    ),
  );
}

function renderOutcomes(outcomes) {
  const most = Math.max(1, ...outcomes.map((o) => o.orders));
  fillTable(
    $('outcomes'),
    ['status', 'reason', num('orders'), ''],
    outcomes.map((o) => [
      el('td', {}, statusBadge(o.status)),
      o.reason ?? '',
      o.orders,
      el('td', {}, el('meter', { min: 0, max: most, value: o.orders })),
    ]),
  );
}

/** "n/a" with the HTTP status when there is one; the full reason is the cell's tooltip. */
const shortProblem = (problem) => {
  const status = /answered (\d{3})/.exec(problem ?? '')?.[1];
  return status === undefined ? 'n/a (unreachable)' : `n/a (${status})`;
};

function renderSystem(system) {
  fillTable(
    $('services'),
    ['service', 'metrics', num('consumer lag'), num('dead letters'), num('outbox backlog')],
    system.services.map((s) => [
      s.service,
      s.up ? '● up' : el('td', { class: 'na', title: s.problem ?? '' }, shortProblem(s.problem)),
      s.consumerLag,
      s.deadLetters,
      s.outboxBacklog,
    ]),
    'no metrics sources configured (DASHBOARD_METRICS_URLS)',
  );
  fillTable(
    $('stock'),
    ['sku', num('available')],
    (system.stock ?? []).map((s) => [s.sku, s.available]),
    'n/a (inventory has no stock_available metric)',
  );
  fillTable(
    $('lag'),
    ['service', 'topic', num('messages behind')],
    (system.consumerLag ?? []).map((l) => [l.service, l.topic, l.lag]),
    'n/a (no kafka_consumer_lag metric)',
  );
  fillTable(
    $('dead-letters'),
    ['service', 'topic', 'reason', num('messages')],
    (system.deadLetters ?? []).map((d) => [d.service, d.topic, d.reason, d.count]),
    system.deadLetters === null ? 'n/a (no dead_letters_total metric)' : 'none',
  );
}

function renderRevenue(totals, payments) {
  const rows = totals.revenue.map((r) => [
    `completed orders (${r.currency})`,
    formatMoney(r.total, r.currency),
  ]);
  rows.push(['charges', payments === null ? null : payments.charges]);
  rows.push(['refunds', payments === null ? null : payments.refunds]);
  for (const c of payments?.charged ?? [])
    rows.push([`charged (${c.currency})`, formatMoney(c.amount, c.currency)]);
  fillTable($('revenue'), ['', num('amount')], rows);
}

function renderOrders(orders) {
  // Order ids are UUIDv7: their start is the time, their end tells them apart.
  fillTable(
    $('orders'),
    ['order', 'customer', 'status', 'reason', 'saga state', num('total'), 'placed', 'updated'],
    orders.map((o) =>
      el(
        'tr',
        { 'data-order-id': o.orderId, 'data-status': o.status },
        el(
          'td',
          {},
          el('a', { href: `/dashboard/orders/${o.orderId}`, title: o.orderId }, `…${o.orderId.slice(-12)}`),
        ),
        el('td', {}, o.customerId),
        el('td', { class: 'status-cell' }, statusBadge(o.status)),
        el('td', {}, o.cancelReason ?? ''),
        el('td', {}, o.sagaState),
        el('td', { class: 'number' }, formatMoney(o.total, o.currency)),
        el('td', {}, formatTime(o.createdAt)),
        el('td', {}, formatTime(o.updatedAt)),
      ),
    ),
    'no orders',
  );
}

function render({ overview, orders }) {
  renderCounters(overview);
  $('throughput-chart').replaceChildren(
    throughputChart(overview.throughput, { nowMs: Date.parse(overview.at) }),
  );
  renderOutcomes(overview.totals.outcomes);
  renderSystem(overview.system);
  renderRevenue(overview.totals, overview.system.payments);
  renderOrders(orders);
}

let source;
function connect(status) {
  source?.close();
  source = follow(`/dashboard/events${status ? `?status=${encodeURIComponent(status)}` : ''}`, render);
}

const filter = $('status-filter');
filter.value = new URLSearchParams(location.search).get('status') ?? '';
filter.addEventListener('change', () => {
  const url = new URL(location.href);
  if (filter.value) url.searchParams.set('status', filter.value);
  else url.searchParams.delete('status');
  history.replaceState(null, '', url);
  connect(filter.value);
});
connect(filter.value);
