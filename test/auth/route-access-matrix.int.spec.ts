/**
 * Who may call every route of every service, through each service's real app and database: no token
 * → 401, a token without an allowed role → 403, an allowed role → neither; a public route answers
 * anyone. The routes come from fastify itself, so a route added without an entry here fails this spec.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { routeAccessList } from '../../lib/http/auth.ts';
import { isBrowserSessionPath, sessionCookieName } from '../../lib/http/browser-session.ts';
import { type Role, type RouteAccess, roles } from '../../lib/http/principal.ts';
import { publicPathPrefixes } from '../../lib/http/route-access.ts';
import { signToken } from '../../lib/http/sign-token.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/throwaway-database.ts';
import { bearer, testAuthConfig, testJwtSecret } from '../support/tokens.ts';
import { buildServiceApp, type ServiceName, serviceNames } from './service-apps.ts';

const anyone: RouteAccess = ['customer', 'operator'];
const faultRoutes: Record<string, RouteAccess> = {
  'POST /faults': ['operator'],
  'GET /faults': ['operator'],
  'DELETE /faults': ['operator'],
};
// Every service has both; its metrics (Prometheus text) are public like /health/*.
const auditRoutes: Record<string, RouteAccess> = { 'GET /audit': ['operator'], 'GET /metrics': 'public' };
const matrix: Record<ServiceName, Record<string, RouteAccess>> = {
  orchestrator: {
    'POST /orders': ['customer'],
    'GET /orders': anyone,
    'GET /orders/:id': anyone,
    'POST /orders/:id/retry': ['operator'],
    'POST /orders/:id/cancel': anyone,
    'GET /admission': ['operator'],
    // The message contract, public like /openapi.json but outside the shared public prefixes.
    'GET /asyncapi.json': 'public',
    ...auditRoutes,
    // The dashboard: a browser session (?token= once, then a cookie), see dashboard-session.int.spec.ts.
    'GET /dashboard': ['operator'],
    'GET /dashboard/orders/:id': ['operator'],
    'GET /dashboard/assets/:file': ['operator'],
    'GET /dashboard/api/saga-chart': ['operator'],
    'GET /dashboard/events': ['operator'],
    'GET /dashboard/orders/:id/events': ['operator'],
    'POST /dashboard/api/orders/:id/retry': ['operator'],
  },
  inventory: {
    'GET /stock': anyone,
    'GET /stock/:sku': anyone,
    'PUT /stock/:sku/price': ['operator'],
    ...faultRoutes,
    ...auditRoutes,
  },
  payment: { 'GET /payments/:orderId': ['operator'], ...faultRoutes, ...auditRoutes },
  shipping: {
    'GET /shipments/:orderId': ['operator'],
    'POST /shipments/:shipmentId/events': ['carrier'],
    ...faultRoutes,
    ...auditRoutes,
  },
  // No operator actions, so no GET /audit; a customer sees only their own orders' (404 otherwise).
  notifications: { 'GET /notifications': anyone, 'GET /metrics': 'public' },
};

/** A concrete URL of a route: path parameters filled in, a wildcard as a file name. */
const urlOf = (path: string): string =>
  path
    .replace(/:sku\b/, 'SKU-001')
    .replace(/:\w+/g, () => randomUUID())
    .replace(/\*$/, 'index.html');

const noKnownRole = () => ({
  authorization: `Bearer ${signToken({ sub: 'nobody', roles: ['admin'] }, { alg: 'HS256', secret: testJwtSecret })}`,
});

let database: ThrowawayDatabase;
before(async () => {
  database = await createThrowawayDatabase({ poolMax: 5 });
});
after(async () => database.drop());

for (const service of serviceNames) {
  describe(`${service}: route × role`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await buildServiceApp(service, database, testAuthConfig({ faultsEnabled: true }));
    });
    after(async () => app.close());

    const routes = () => routeAccessList(app).filter((r) => r.method !== 'HEAD');
    const isPublicPath = (url: string) => publicPathPrefixes.some((prefix) => url.startsWith(prefix));

    test('every protected route has an entry with the access it declares; the rest are public paths', () => {
      const declared = Object.fromEntries(
        routes()
          .filter((r) => !isPublicPath(r.url))
          .map((r) => [`${r.method} ${r.url}`, r.access]),
      );
      assert.deepEqual(declared, matrix[service]);
      for (const route of routes().filter((r) => isPublicPath(r.url))) {
        assert.equal(route.access, 'public', `${route.method} ${route.url}`);
      }
      const heads = routeAccessList(app).filter((r) => r.method === 'HEAD');
      for (const head of heads) {
        const get = routes().find((r) => r.method === 'GET' && r.url === head.url);
        if (get) assert.deepEqual(head.access, get.access, `HEAD ${head.url} has the access of its GET`);
        else assert.ok(isPublicPath(head.url) && head.access === 'public', `HEAD ${head.url} is public`);
      }
    });

    for (const [route, access] of Object.entries(matrix[service])) {
      const [method, path] = route.split(' ') as [string, string];
      if (access === 'public') {
        test(`${route}: public, answers without a token and with any token`, async () => {
          const call = (headers: Record<string, string>) =>
            app.inject({ method: method as 'GET', url: urlOf(path), headers });
          for (const headers of [{}, noKnownRole(), ...roles.map((role) => bearer(role))]) {
            const response = await call(headers);
            assert.ok(![401, 403].includes(response.statusCode), `${route}: ${response.statusCode}`);
          }
        });
        continue;
      }
      const allowed = access;
      if (isBrowserSessionPath(path)) {
        // Signing in with ?token= checks the role before any handler runs (an event stream never ends).
        test(`${route}: no session → 401, ?token= of other roles → 403, ${allowed.join('/')} → signed in`, async () => {
          // A GET signs in with ?token=; a POST needs the cookie and the pages' header.
          const call = (token?: string) =>
            method === 'GET'
              ? app.inject({
                  method: 'GET',
                  url: token === undefined ? urlOf(path) : `${urlOf(path)}?token=${token}`,
                })
              : app.inject({
                  method: method as 'POST',
                  url: urlOf(path),
                  headers:
                    token === undefined
                      ? {}
                      : { cookie: `${sessionCookieName}=${token}`, 'x-dashboard-request': '1' },
                });
          const anonymous = await call();
          assert.equal(anonymous.statusCode, 401, `${route} without a session`);
          assert.match(String(anonymous.headers['www-authenticate']), /^Bearer/);
          for (const role of roles.filter((r: Role) => !allowed.includes(r))) {
            const wrong = await call(bearer(role).authorization.slice('Bearer '.length));
            assert.equal(wrong.statusCode, 403, `${route} as ${role}`);
          }
          const unknown = noKnownRole().authorization.slice('Bearer '.length);
          assert.equal((await call(unknown)).statusCode, 403, `${route} with no known role`);
          for (const role of allowed) {
            const right = await call(bearer(role).authorization.slice('Bearer '.length));
            const expected = method === 'GET' ? [303] : [202, 404, 409];
            assert.ok(
              expected.includes(right.statusCode),
              `${route} as ${role}: ${right.statusCode} ${right.body}`,
            );
          }
        });
        continue;
      }
      test(`${route}: no token → 401, other roles → 403, ${allowed.join('/')} → allowed`, async () => {
        const call = (headers: Record<string, string>) =>
          app.inject({ method: method as 'GET', url: urlOf(path), headers });
        const anonymous = await call({});
        assert.equal(anonymous.statusCode, 401, `${route} without a token`);
        assert.match(String(anonymous.headers['www-authenticate']), /^Bearer/);
        for (const role of roles.filter((r: Role) => !allowed.includes(r))) {
          const wrong = await call(bearer(role));
          assert.equal(wrong.statusCode, 403, `${route} as ${role}`);
          assert.match(wrong.json().message, new RegExp(`needs the role ${allowed.join(' or ')}`));
        }
        assert.equal((await call(noKnownRole())).statusCode, 403, `${route} with no known role`);
        for (const role of allowed) {
          const right = await call(bearer(role));
          assert.ok(
            ![401, 403].includes(right.statusCode),
            `${route} as ${role}: ${right.statusCode} ${right.body}`,
          );
        }
      });
    }

    test('public routes answer without a token', async () => {
      const publicRoutes = routes().filter((r) => r.access === 'public');
      assert.ok(publicRoutes.some((r) => r.url === '/health/ready'));
      for (const route of publicRoutes) {
        const response = await app.inject({ method: route.method as 'GET', url: urlOf(route.url) });
        assert.ok(
          ![401, 403].includes(response.statusCode),
          `${route.method} ${route.url}: ${response.statusCode}`,
        );
      }
      assert.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode, 200);
    });
  });
}

describe('fault routes follow FAULTS_ENABLED', () => {
  for (const service of ['inventory', 'payment', 'shipping'] as const) {
    test(`${service}: absent (404 even for an operator) when off, there for an operator when on`, async () => {
      const off = await buildServiceApp(service, database, testAuthConfig({ faultsEnabled: false }));
      const on = await buildServiceApp(service, database, testAuthConfig({ faultsEnabled: true }));
      try {
        assert.ok(!routeAccessList(off).some((r) => r.url === '/faults'));
        const absent = await off.inject({
          method: 'POST',
          url: '/faults',
          payload: { mode: 'decline' },
          headers: bearer('operator'),
        });
        assert.equal(absent.statusCode, 404);
        assert.equal(
          (await off.inject({ method: 'GET', url: '/faults', headers: bearer('operator') })).statusCode,
          404,
        );
        const present = await on.inject({
          method: 'POST',
          url: '/faults',
          payload: { mode: 'decline' },
          headers: bearer('operator'),
        });
        assert.equal(present.statusCode, 200);
        assert.equal(present.json().mode, 'decline');
      } finally {
        await off.close();
        await on.close();
      }
    });
  }
});
