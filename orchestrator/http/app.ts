import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Knex } from 'knex';
import { callerOf } from '../../lib/audit/audit-entry.ts';
import { registerAuditRoute } from '../../lib/audit/audit-route.ts';
import type { AuthConfig } from '../../lib/config/auth-config.ts';
import { customerScope, principalOf } from '../../lib/http/principal.ts';
import { createServiceApp, errorResponse } from '../../lib/http/service-app.ts';
import type { Logger } from '../../lib/logger.ts';
import { registerDashboard } from '../dashboard/dashboard-routes.ts';
import type { MetricsSource } from '../dashboard/metrics-scrape.ts';
import type { Refusal } from '../orders/admission.ts';
import type { FulfilmentStatus } from '../orders/fulfilment-view.ts';
import { getOrder, InvalidCursorError, listOrders } from '../orders/order-queries.ts';
import type { OrderService, PlaceOrderRequest } from '../orders/order-service.ts';
import { orderSagaAsyncApi } from '../saga/saga-asyncapi.ts';
import type { OrderStatus } from '../saga/saga-types.ts';
import {
  acceptedOrder,
  idempotencyHeaders,
  listOrdersQuery,
  orderIdParams,
  orderList,
  orderView,
  placeOrderBody,
} from './order-schemas.ts';
import { sendRetryResult } from './retry-reply.ts';

export interface OrchestratorAppDeps {
  db: Knex;
  orders: OrderService;
  logger: Logger;
  auth: AuthConfig;
  /** The services whose GET /metrics the dashboard shows; none: those widgets show n/a. */
  metricsSources?: readonly MetricsSource[];
}

const errors = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, errorResponse]));

/** The orchestrator's public HTTP API (DESIGN.md), documented at /docs and /openapi.json; its messages at /asyncapi.json; the dashboard at /dashboard. */
export async function buildOrchestratorApp({
  db,
  orders,
  logger,
  auth,
  metricsSources = [],
}: OrchestratorAppDeps): Promise<FastifyInstance> {
  const app = await createServiceApp(logger, {
    title: 'Order saga orchestrator',
    description: 'Places orders and shows their sagas.',
    tags: ['orders', 'audit'],
    auth,
  });
  const notFound = (reply: FastifyReply, orderId: string) =>
    reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `order ${orderId} does not exist` });

  const tooManyRequests = (
    reply: FastifyReply,
    refusal: Pick<Refusal, 'sagasInFlight' | 'limit' | 'retryAfterS'>,
  ) =>
    reply
      .code(429)
      .header('retry-after', String(refusal.retryAfterS))
      .send({
        statusCode: 429,
        error: 'Too Many Requests',
        message: `${refusal.sagasInFlight} sagas are in flight (limit ${refusal.limit}, MAX_SAGAS_IN_FLIGHT); retry after ${refusal.retryAfterS} s`,
      });

  app.post<{
    Body: Omit<PlaceOrderRequest, 'customerId'> & { customerId?: string };
    Headers: { 'idempotency-key'?: string };
  }>(
    '/orders',
    {
      config: { access: ['customer'] },
      // At the limit, a request without an Idempotency-Key is refused before its body is read and
      // validated: refusing must cost less than accepting. A retry under a key is looked up first.
      onRequest: async (request, reply) => {
        if (request.headers['idempotency-key'] !== undefined) return;
        const refusal = orders.admission.refusalNow();
        if (refusal) return tooManyRequests(reply, refusal);
      },
      schema: {
        tags: ['orders'],
        summary: 'Place an order; its saga starts at once',
        body: placeOrderBody,
        headers: idempotencyHeaders,
        response: { 202: acceptedOrder, ...errors(400, 401, 403, 422, 429) },
      },
    },
    async (request, reply) => {
      const customerId = principalOf(request).sub;
      if (request.body.customerId !== undefined && request.body.customerId !== customerId) {
        return reply.code(403).send({
          statusCode: 403,
          error: 'Forbidden',
          message: `body.customerId must be the token's subject (${customerId}) or be left out`,
        });
      }
      const result = await orders.place(
        { ...request.body, customerId },
        {
          idempotencyKey: request.headers['idempotency-key'] ?? null,
          correlationId: request.id,
        },
      );
      switch (result.kind) {
        case 'created':
        case 'replayed':
          return reply
            .code(202)
            .header('location', `/orders/${result.orderId}`)
            .send({ orderId: result.orderId, status: result.status });
        case 'idempotency_conflict':
          return reply.code(422).send({
            statusCode: 422,
            error: 'Unprocessable Entity',
            // No order id: the key may be another customer's (keys are global).
            message: 'Idempotency-Key was already used with a different request body',
          });
        case 'overloaded':
          return tooManyRequests(reply, result);
        default: {
          const unknown: never = result;
          throw new Error(`unexpected result ${JSON.stringify(unknown)}`);
        }
      }
    },
  );

  app.get(
    '/admission',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['orders'],
        summary: 'Admission control: the bound on sagas in flight, this instance’s count, its refusals',
        response: {
          200: {
            type: 'object',
            required: ['limit', 'sagasInFlight', 'admitting', 'refused'],
            properties: {
              limit: { type: ['integer', 'null'], description: 'MAX_SAGAS_IN_FLIGHT; null: no limit' },
              sagasInFlight: { type: ['integer', 'null'], description: 'all instances, read every 100 ms' },
              admitting: { type: 'boolean' },
              refused: {
                type: 'integer',
                description: 'orders this instance refused with 429 since it started',
              },
            },
          },
        },
      },
    },
    async () => orders.admission.status(),
  );

  app.get<{ Params: { id: string } }>(
    '/orders/:id',
    {
      // A customer sees only their own orders; another's is a 404, as an unknown id.
      config: { access: ['customer', 'operator'] },
      schema: {
        tags: ['orders'],
        summary: 'An order with its saga state and history',
        params: orderIdParams,
        response: { 200: orderView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const order = await getOrder(db, request.params.id, customerScope(principalOf(request)));
      if (!order) return notFound(reply, request.params.id);
      return order;
    },
  );

  app.get<{
    Querystring: { status?: OrderStatus; fulfilment?: FulfilmentStatus; limit: number; cursor?: string };
  }>(
    '/orders',
    {
      // A customer lists their own orders only.
      config: { access: ['customer', 'operator'] },
      schema: {
        tags: ['orders'],
        summary: 'Orders, newest first, cursor-paginated (a customer’s own only)',
        querystring: listOrdersQuery,
        response: { 200: orderList, ...errors(400) },
      },
    },
    async (request, reply) => {
      try {
        return await listOrders(db, request.query, customerScope(principalOf(request)));
      } catch (error) {
        if (error instanceof InvalidCursorError)
          return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: error.message });
        throw error;
      }
    },
  );

  app.post<{ Params: { id: string } }>(
    '/orders/:id/retry',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['orders'],
        summary: 'Operator action: resume a FAILED saga from its pending compensation (audited)',
        params: orderIdParams,
        response: {
          202: { type: 'object', properties: { orderId: { type: 'string' }, sagaState: { type: 'string' } } },
          ...errors(400, 404, 409),
        },
      },
    },
    async (request, reply) =>
      sendRetryResult(reply, request.params.id, await orders.retry(request.params.id, callerOf(request))),
  );

  app.post<{ Params: { id: string } }>(
    '/orders/:id/cancel',
    {
      // A customer cancels only their own orders (another's is a 404); an operator's cancel is audited.
      config: { access: ['customer', 'operator'] },
      schema: {
        tags: ['orders'],
        summary:
          'Cancel an order: its saga undoes what it has done so far (cancelReason customer_cancelled); a cancelled order is a no-op',
        params: orderIdParams,
        response: { 200: orderView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const orderId = request.params.id;
      const customerId = customerScope(principalOf(request));
      const result = await orders.cancel(orderId, { caller: callerOf(request), customerId });
      switch (result.kind) {
        case 'cancelling':
        case 'unchanged': {
          const order = await getOrder(db, orderId, customerId);
          return order ? order : notFound(reply, orderId);
        }
        case 'not_found':
          return notFound(reply, orderId);
        case 'refused':
          return reply.code(409).send({ statusCode: 409, error: 'Conflict', message: result.reason });
        default: {
          const unknown: never = result;
          throw new Error(`unexpected result ${JSON.stringify(unknown)}`);
        }
      }
    },
  );

  // The message contract (AsyncAPI 3.0, generated from the code; docs/asyncapi.yaml is the same), public as /openapi.json.
  app.get('/asyncapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    orderSagaAsyncApi(),
  );

  registerAuditRoute(app, { db, schema: 'orders' });
  // The operator's pages under /dashboard (browser session, not bearer tokens).
  await registerDashboard(app, { db, orders, metricsSources });
  return app;
}
