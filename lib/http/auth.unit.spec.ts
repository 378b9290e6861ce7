import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { AuthConfig } from '../config/auth-config.ts';
import { createLogger } from '../logger.ts';
import { routeAccessList } from './auth.ts';
import { customerScope, principalOf } from './principal.ts';
import { apiSecurityHeaders } from './security-headers.ts';
import { createServiceApp } from './service-app.ts';
import { type SignOptions, signToken, type TokenClaims } from './sign-token.ts';

const secret = randomBytes(32).toString('base64url');
const logger = createLogger('auth-unit', 'silent');
const auth = (overrides: Partial<AuthConfig> = {}): AuthConfig => ({
  verification: { kind: 'hs256', secret },
  issuer: null,
  audience: null,
  faultsEnabled: false,
  rateLimitMax: 0,
  rateLimitWindowMs: 60_000,
  ...overrides,
});
const token = (claims: TokenClaims, options: SignOptions = {}, key = secret) =>
  signToken(claims, { alg: 'HS256', secret: key }, options);
const bearer = (claims: TokenClaims, options?: SignOptions, key?: string) => ({
  authorization: `Bearer ${token(claims, options, key)}`,
});

/** An app with one route per access level; each answers the principal it saw. */
async function appWith(config: AuthConfig = auth()): Promise<FastifyInstance> {
  const app = await createServiceApp(logger, { title: 't', description: 'd', tags: [], auth: config });
  const whoAmI = async (request: { principal: unknown }) => ({ principal: request.principal });
  app.get('/open', { config: { access: 'public' } }, whoAmI);
  app.get('/ops', { config: { access: ['operator'] } }, whoAmI);
  app.get('/both', { config: { access: ['customer', 'operator'] } }, async (request) => ({
    scope: customerScope(principalOf(request)),
  }));
  await app.ready();
  return app;
}

describe('the auth check of protected routes', () => {
  test('no token → 401 with WWW-Authenticate: Bearer and a message saying so', async () => {
    const app = await appWith();
    const response = await app.inject({ method: 'GET', url: '/ops' });
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer');
    assert.deepEqual(response.json(), {
      statusCode: 401,
      error: 'Unauthorized',
      message: 'no bearer token in the Authorization header',
    });
  });

  const refused: Array<[string, () => Record<string, string>, RegExp]> = [
    ['a Basic Authorization header', () => ({ authorization: 'Basic dXNlcjpwdw==' }), /no bearer token/],
    ['a malformed Bearer header', () => ({ authorization: 'Bearer a b' }), /"Bearer <token>"/],
    ['a token that is not a JWT', () => ({ authorization: 'Bearer not.a.jwt' }), /token/i],
    ['an expired token', () => bearer({ sub: 'op', roles: ['operator'] }, { ttlS: -10 }), /^token expired$/],
    [
      'a token signed with another secret',
      () => bearer({ sub: 'op', roles: ['operator'] }, {}, randomBytes(32).toString('base64url')),
      /token is invalid: .*signature/i,
    ],
    ['a token without sub', () => bearer({ sub: '', roles: ['operator'] }), /no sub claim/],
    [
      'a token whose roles are not an array',
      () => bearer({ sub: 'op', roles: 'operator' as never }),
      /roles/,
    ],
  ];
  for (const [name, headers, message] of refused) {
    test(`${name} → 401 naming why`, async () => {
      const app = await appWith();
      const response = await app.inject({ method: 'GET', url: '/ops', headers: headers() });
      assert.equal(response.statusCode, 401);
      assert.match(String(response.headers['www-authenticate']), /^Bearer/);
      assert.equal(response.json().error, 'Unauthorized');
      assert.match(response.json().message, message);
    });
  }

  test('an unsigned token (alg none) is refused', async () => {
    const app = await appWith();
    const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const unsigned = `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'op', roles: ['operator'] })}.`;
    const response = await app.inject({
      method: 'GET',
      url: '/ops',
      headers: { authorization: `Bearer ${unsigned}` },
    });
    assert.equal(response.statusCode, 401);
  });

  test('a valid token without an allowed role → 403 naming the roles the route needs', async () => {
    const app = await appWith();
    const customer = await app.inject({
      method: 'GET',
      url: '/ops',
      headers: bearer({ sub: 'c', roles: ['customer'] }),
    });
    assert.equal(customer.statusCode, 403);
    assert.match(customer.json().message, /needs the role operator; the token has roles customer/);
    const unknownRole = await app.inject({
      method: 'GET',
      url: '/both',
      headers: bearer({ sub: 'x', roles: ['admin'] }),
    });
    assert.equal(unknownRole.statusCode, 403, 'unknown role names are ignored');
    assert.match(unknownRole.json().message, /needs the role customer or operator; the token has no role/);
  });

  test('the right role passes and sets request.principal; a customer is scoped to themself', async () => {
    const app = await appWith();
    const ops = await app.inject({
      method: 'GET',
      url: '/ops',
      headers: bearer({ sub: 'op-7', roles: ['operator', 'x'] }),
    });
    assert.equal(ops.statusCode, 200);
    assert.deepEqual(ops.json(), { principal: { sub: 'op-7', roles: ['operator'] } });
    const customer = await app.inject({
      method: 'GET',
      url: '/both',
      headers: bearer({ sub: 'c-9', roles: ['customer'] }),
    });
    assert.deepEqual(customer.json(), { scope: 'c-9' });
    const operator = await app.inject({
      method: 'GET',
      url: '/both',
      headers: bearer({ sub: 'o', roles: ['operator'] }),
    });
    assert.deepEqual(operator.json(), { scope: null });
  });

  test('public routes answer without a token, and the principal stays null', async () => {
    const app = await appWith();
    const response = await app.inject({ method: 'GET', url: '/open' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { principal: null });
    const openapi = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(openapi.statusCode, 200);
    assert.deepEqual(openapi.json().security, [{ bearer: [] }], 'the docs say a bearer token is needed');
    assert.equal((await app.inject({ method: 'GET', url: '/docs/' })).statusCode, 200);
  });

  test('iss and aud are checked when configured', async () => {
    const app = await appWith(auth({ issuer: 'https://issuer.example', audience: 'order-saga' }));
    const claims = { sub: 'op', roles: ['operator'] };
    const good = bearer({ ...claims, iss: 'https://issuer.example', aud: 'order-saga' });
    assert.equal((await app.inject({ method: 'GET', url: '/ops', headers: good })).statusCode, 200);
    const otherIssuer = bearer({ ...claims, iss: 'https://evil.example', aud: 'order-saga' });
    assert.equal((await app.inject({ method: 'GET', url: '/ops', headers: otherIssuer })).statusCode, 401);
    const noAudience = bearer({ ...claims, iss: 'https://issuer.example' });
    assert.equal((await app.inject({ method: 'GET', url: '/ops', headers: noAudience })).statusCode, 401);
  });
});

describe('route registration', () => {
  test('a route without config.access, with no roles or an unknown role, is refused when it is registered', async () => {
    const app = await createServiceApp(logger, { title: 't', description: 'd', tags: [], auth: auth() });
    assert.throws(() => app.get('/forgot', async () => 'x'), /route GET \/forgot has no config\.access/);
    assert.throws(
      () => app.get('/none', { config: { access: [] } }, async () => 'x'),
      /has config\.access \[\]/,
    );
    assert.throws(
      () => app.get('/admin', { config: { access: ['admin' as never] } }, async () => 'x'),
      /names the unknown role "admin"/,
    );
  });

  test('the access list names every route, swagger-ui’s public by prefix', async () => {
    const app = await appWith();
    const list = routeAccessList(app);
    assert.deepEqual(
      list.find((r) => r.method === 'GET' && r.url === '/ops'),
      { method: 'GET', url: '/ops', access: ['operator'] },
    );
    const docs = list.filter((r) => r.url.startsWith('/docs'));
    assert.ok(docs.length > 2, 'swagger-ui registers its routes');
    assert.ok(docs.every((r) => r.access === 'public'));
  });
});

describe('rate limit and security headers', () => {
  test('past RATE_LIMIT_MAX requests in the window a subject gets 429 with Retry-After; other subjects do not', async () => {
    const app = await appWith(auth({ rateLimitMax: 2, rateLimitWindowMs: 60_000 }));
    const alice = bearer({ sub: 'alice', roles: ['operator'] });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await app.inject({ method: 'GET', url: '/ops', headers: alice })).statusCode);
    assert.deepEqual(statuses, [200, 200, 429]);
    const limited = await app.inject({ method: 'GET', url: '/ops', headers: alice });
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After in seconds');
    assert.equal(limited.json().error, 'Too Many Requests');
    const bob = bearer({ sub: 'bob', roles: ['operator'] });
    assert.equal((await app.inject({ method: 'GET', url: '/ops', headers: bob })).statusCode, 200);
  });

  test('security headers are on every answer: the API list on JSON, helmet on /docs with a CSP for its scripts', async () => {
    const app = await appWith();
    for (const url of ['/open', '/ops', '/openapi.json']) {
      const api = await app.inject({ method: 'GET', url });
      for (const [name, value] of Object.entries(apiSecurityHeaders)) {
        assert.equal(api.headers[name], value, `${url}: ${name}`);
      }
    }
    const response = await app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.match(String(response.headers['content-security-policy']), /script-src 'self'/);
    assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN', "helmet's own set on the page");
    assert.doesNotMatch(response.body, /<script>(?!\s*<\/script>)/, 'no inline script the CSP would block');
  });
});
