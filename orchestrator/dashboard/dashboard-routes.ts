/**
 * The operator's dashboard (docs/dashboard.md): two pages (the system, one order) served as static
 * files, kept live by Server-Sent Events, and the operator's retry. Every route is the operator's;
 * a browser signs in once with `?token=` and then carries a session cookie (lib/http/browser-session.ts).
 */
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { callerOf } from '../../lib/audit/audit-entry.ts';
import { EventStreams, SharedValue } from '../../lib/http/server-sent-events.ts';
import { sendRetryResult } from '../http/retry-reply.ts';
import { getOrder, listOrders } from '../orders/order-queries.ts';
import type { OrderService } from '../orders/order-service.ts';
import { readSagasInFlight } from '../runner/in-flight-counter.ts';
import { orderSagaGraph } from '../saga/saga-graph.ts';
import type { OrderStatus } from '../saga/saga-types.ts';
import { orderStatuses, readOrderTotals, readThroughput } from './dashboard-queries.ts';
import { type MetricsSource, scrapeAll } from './metrics-scrape.ts';
import { sagaPathOf } from './saga-path.ts';
import { stateChartOf } from './state-chart.ts';
import { systemMetricsOf } from './system-metrics.ts';

export interface DashboardDeps {
  db: Knex;
  orders: Pick<OrderService, 'retry'>;
  metricsSources: readonly MetricsSource[];
}

const assetsDir = fileURLToPath(new URL('./assets/', import.meta.url));
const assetName = /^[a-z][a-z0-9-]*\.(js|css|svg)$/;
/** How often the pages get news, and how stale the services' metrics may be. */
const periodMs = 1000;
const metricsMaxAgeMs = 2000;
const scrapeTimeoutMs = 1500;
const ordersShown = 30;

const operator = { access: ['operator'] } as const;
const idParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export async function registerDashboard(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const { db, orders, metricsSources } = deps;
  await app.register(fastifyStatic, { root: assetsDir, serve: false, index: false });
  const streams = new EventStreams();
  app.addHook('preClose', async () => streams.endAll());

  const metrics = new SharedValue(
    async () => systemMetricsOf(await scrapeAll(metricsSources, scrapeTimeoutMs)),
    metricsMaxAgeMs,
  );
  const overview = new SharedValue(async () => {
    const [totals, throughput, sagasInFlight, system] = await Promise.all([
      readOrderTotals(db),
      readThroughput(db, { windowSeconds: 600, bucketSeconds: 10 }),
      readSagasInFlight(db),
      metrics.get(),
    ]);
    return { at: new Date().toISOString(), totals, sagasInFlight, throughput, system };
  }, periodMs - 100);
  const chart = stateChartOf(orderSagaGraph());

  app.get('/dashboard', { config: operator, schema: { hide: true } }, (_request, reply) =>
    reply.sendFile('index.html'),
  );
  app.get<{ Params: { id: string } }>(
    '/dashboard/orders/:id',
    { config: operator, schema: { hide: true, params: idParams } },
    (_request, reply) => reply.sendFile('order.html'),
  );
  app.get<{ Params: { file: string } }>(
    '/dashboard/assets/:file',
    { config: operator, schema: { hide: true } },
    (request, reply) => {
      const { file } = request.params;
      if (!assetName.test(file)) {
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no asset ${file}` });
      }
      return reply.sendFile(file);
    },
  );

  app.get('/dashboard/api/saga-chart', { config: operator, schema: { hide: true } }, async () => chart);

  app.get<{ Querystring: { status?: OrderStatus } }>(
    '/dashboard/events',
    {
      config: operator,
      schema: {
        hide: true,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: [...orderStatuses] } },
        },
      },
    },
    (request, reply) => {
      const { status } = request.query;
      streams.stream(request, reply, periodMs, async () => {
        const [now, recent] = await Promise.all([
          overview.get(),
          listOrders(db, { limit: ordersShown, ...(status === undefined ? {} : { status }) }),
        ]);
        return { overview: now, orders: recent.orders, status: status ?? null };
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/dashboard/orders/:id/events',
    { config: operator, schema: { hide: true, params: idParams } },
    (request, reply) => {
      const { id } = request.params;
      streams.stream(request, reply, periodMs, async () => {
        const order = await getOrder(db, id);
        return order === null
          ? { orderId: id, order: null, path: [] }
          : { orderId: id, order, path: sagaPathOf(order.saga.history) };
      });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/dashboard/api/orders/:id/retry',
    { config: operator, schema: { hide: true, params: idParams } },
    async (request, reply) =>
      sendRetryResult(reply, request.params.id, await orders.retry(request.params.id, callerOf(request))),
  );
}
