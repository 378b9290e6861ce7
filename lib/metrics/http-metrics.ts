import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { FastHistogram } from './fast-histogram.ts';
import { ChildrenBy3 } from './label-children.ts';

/** What `route` is for a request that matched no route (a 404 of an unknown path). */
export const unmatchedRoute = 'unmatched';

/**
 * `http_request_duration_seconds{method,route,status_code}` for every request of `app`, by one
 * onResponse hook; `route` is the route's pattern (`/orders/:id`), never the path, so the label
 * set stays bounded.
 */
export function instrumentHttp(app: FastifyInstance, registry: Registry): void {
  const histogram = new FastHistogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status code: time to the response',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const children = new ChildrenBy3((method, route, status) =>
    histogram.labels({ method, route, status_code: status }),
  );
  // Callback style: no promise per request.
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    children
      .of(request.method, request.routeOptions.url ?? unmatchedRoute, reply.statusCode)
      .observe(reply.elapsedTime / 1_000);
    done();
  });
}

/** `GET /metrics`: the registry in Prometheus text format; public, as the health probes. */
export function registerMetricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
}

/** What every service's app gets: the HTTP histogram and GET /metrics (runService; the auth specs). */
export function serveMetrics(app: FastifyInstance, registry: Registry): void {
  instrumentHttp(app, registry);
  registerMetricsRoute(app, registry);
}
