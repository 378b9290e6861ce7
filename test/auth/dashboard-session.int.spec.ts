/**
 * The dashboard's sign-in (lib/http/browser-session.ts) through the orchestrator's real app and a
 * database: ?token= once → HttpOnly SameSite=Strict cookie and a 303 to the clean URL; the cookie
 * opens the pages and nothing else; state-changing calls need the pages' header; the pages' CSP
 * allows 'self' only.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sessionCookieName } from '../../lib/http/browser-session.ts';
import { sagaStateNames } from '../../orchestrator/saga/saga-types.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/throwaway-database.ts';
import { testAuthConfig, tokenFor } from '../support/tokens.ts';
import { buildServiceApp } from './service-apps.ts';

// The orchestrator's app on a database of its own, dropped after the last test.
let database: ThrowawayDatabase | undefined;
let app: FastifyInstance;
before(async () => {
  const own = await createThrowawayDatabase({ poolMax: 5 });
  database = own;
  app = await buildServiceApp('orchestrator', own, testAuthConfig());
});
after(async () => Promise.all([app?.close(), database?.drop()]));

const operatorToken = () => tokenFor('operator', 'operator-1', { ttlS: 600 });
const cookieOf = (token: string) => ({ cookie: `${sessionCookieName}=${token}` });
const get = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers });

describe('dashboard sign-in', () => {
  test('?token= sets an HttpOnly SameSite=Strict cookie until the token expires and redirects (303) without it', async () => {
    const token = operatorToken();
    const response = await get(`/dashboard/orders/${randomUUID()}?a=1&token=${token}`);
    assert.equal(response.statusCode, 303);
    assert.match(String(response.headers.location), /^\/dashboard\/orders\/[0-9a-f-]{36}\?a=1$/);
    const cookie = String(response.headers['set-cookie']);
    assert.ok(
      cookie.startsWith(
        `${sessionCookieName}=${token}; Path=/dashboard; HttpOnly; SameSite=Strict; Expires=`,
      ),
    );
    const exp = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).exp as number;
    assert.equal(Date.parse(cookie.replace(/.*Expires=([^;]+).*/, '$1')), exp * 1000);
    assert.ok(!/Secure/.test(cookie), 'plain http: no Secure flag');
  });

  test('a customer’s or an invalid token signs nobody in', async () => {
    const customer = await get(`/dashboard?token=${tokenFor('customer')}`);
    assert.equal(customer.statusCode, 403);
    assert.equal(customer.headers['set-cookie'], undefined);
    const forged = await get(`/dashboard?token=${operatorToken().slice(0, -3)}abc`);
    assert.equal(forged.statusCode, 401);
    assert.equal((await get('/dashboard?token=not-a-jwt')).statusCode, 401);
  });

  test('the cookie opens the pages, with a CSP of their own origin only', async () => {
    const page = await get('/dashboard', cookieOf(operatorToken()));
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /<script type="module" src="\/dashboard\/assets\/overview.js">/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.ok(!/unsafe-inline|https:|data:/.test(csp), csp);
    const script = await get('/dashboard/assets/overview.js', cookieOf(operatorToken()));
    assert.equal(script.statusCode, 200);
    assert.match(String(script.headers['content-type']), /javascript/);
    assert.equal(
      (await get('/dashboard/assets/..%2Fdashboard-routes.ts', cookieOf(operatorToken()))).statusCode,
      404,
    );
  });

  test('no cookie, an expired one or a customer’s: 401/403, and an expired cookie is cleared', async () => {
    const none = await get('/dashboard');
    assert.equal(none.statusCode, 401);
    assert.match(none.json().message, /\?token=/);
    const expired = await get('/dashboard', cookieOf(tokenFor('operator', 'operator-1', { ttlS: -10 })));
    assert.equal(expired.statusCode, 401);
    assert.match(String(expired.headers['set-cookie']), /Expires=Thu, 01 Jan 1970/);
    assert.equal((await get('/dashboard', cookieOf(tokenFor('customer')))).statusCode, 403);
    assert.equal(
      (await get('/dashboard', { authorization: `Bearer ${operatorToken()}` })).statusCode,
      401,
      'the pages take the session cookie, not a bearer header',
    );
  });

  test('the JSON API ignores the cookie: bearer tokens only', async () => {
    const response = await get('/orders', cookieOf(operatorToken()));
    assert.equal(response.statusCode, 401);
  });

  test('a state-changing call needs the pages’ own header (CSRF)', async () => {
    const url = `/dashboard/api/orders/${randomUUID()}/retry`;
    const bare = await app.inject({ method: 'POST', url, headers: cookieOf(operatorToken()) });
    assert.equal(bare.statusCode, 403);
    assert.match(bare.json().message, /x-dashboard-request/);
    const own = await app.inject({
      method: 'POST',
      url,
      headers: { ...cookieOf(operatorToken()), 'x-dashboard-request': '1' },
    });
    assert.equal(own.statusCode, 404, 'accepted, and the order is unknown');
    const planted = await app.inject({ method: 'POST', url: `${url}?token=${operatorToken()}` });
    assert.equal(planted.statusCode, 401, 'only a page load (GET) signs in');
    assert.equal(planted.headers['set-cookie'], undefined);
  });

  test('the state chart has every state of the machine', async () => {
    const chart = (await get('/dashboard/api/saga-chart', cookieOf(operatorToken()))).json();
    assert.deepEqual(chart.nodes.map((n: { name: string }) => n.name).sort(), [...sagaStateNames].sort());
  });

  test('the event stream sends the overview: counts from the database, metrics n/a without sources', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const abort = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}/dashboard/events?status=COMPLETED`, {
      headers: cookieOf(operatorToken()),
      signal: abort.signal,
    });
    assert.equal(response.status, 200);
    assert.match(String(response.headers.get('content-type')), /^text\/event-stream/);
    assert.match(String(response.headers.get('content-security-policy')), /default-src 'self'/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('\ndata: ')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    abort.abort();
    const event = JSON.parse(text.slice(text.indexOf('\ndata: ') + 7).split('\n')[0] as string);
    assert.equal(event.status, 'COMPLETED');
    assert.deepEqual(event.orders, []);
    assert.equal(event.overview.totals.placed, 0);
    assert.equal(event.overview.sagasInFlight, 0);
    assert.deepEqual(event.overview.system.services, []);
    assert.equal(event.overview.system.stock, null);
  });
});
