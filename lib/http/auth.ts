/**
 * The HTTP trust boundary every service installs (createServiceApp): bearer tokens (@fastify/jwt,
 * HS256 or RS256 via JWKS), role checks per route, per-subject rate limiting and security headers.
 *
 * Every route states who may call it (`config.access`, lib/http/principal.ts); registering one that
 * does not throws. A protected route gets an onRequest hook, first in its chain: no or bad token →
 * 401 with `WWW-Authenticate: Bearer`; a token without one of the route's roles → 403; otherwise
 * `request.principal` is set. A token verified once is remembered until it expires
 * (verified-tokens.ts). Public routes cost nothing here. The browser pages under /dashboard
 * authenticate with a session cookie instead (browser-session.ts), never the JSON API.
 */
import helmet from '@fastify/helmet';
import jwt from '@fastify/jwt';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { AuthConfig } from '../config/auth-config.ts';
import { isBrowserSessionPath } from './browser-session.ts';
import { requireBrowserSession } from './browser-session-hook.ts';
import type { Role, RouteAccess } from './principal.ts';
import { accessOf } from './route-access.ts';
import { htmlPageHelmet, isHtmlPage, setApiSecurityHeaders } from './security-headers.ts';
import { hasRole, principalOfToken } from './token-check.ts';
import { jwtPluginOptions } from './token-verification.ts';
import { VerifiedTokens } from './verified-tokens.ts';

/** The onRequest hook of a route that needs one of `allowed`. */
function requireRole(allowed: readonly Role[], verified: VerifiedTokens): onRequestHookHandler {
  return async function checkToken(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization;
    if (header === undefined) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'no bearer token in the Authorization header',
      });
    }
    const principal = await principalOfToken(request, reply, verified, header);
    if (principal === undefined || !hasRole(reply, principal, allowed)) return reply;
    request.principal = principal;
  };
}

export interface RouteAccessEntry {
  method: string;
  url: string;
  access: RouteAccess;
}

const routesOf = new WeakMap<FastifyInstance, RouteAccessEntry[]>();

/** Every route of an app built by createServiceApp with the access it declared (tests enumerate them). */
export const routeAccessList = (app: FastifyInstance): readonly RouteAccessEntry[] => routesOf.get(app) ?? [];

/** Must run before any route is registered (createServiceApp calls it first). */
export async function installAuth(app: FastifyInstance, config: AuthConfig): Promise<void> {
  app.decorateRequest('principal', null);
  await app.register(jwt, jwtPluginOptions(config));
  const checks = new Map<string, onRequestHookHandler>();
  const verified = new VerifiedTokens();
  const routes: RouteAccessEntry[] = [];
  routesOf.set(app, routes);
  app.addHook('onRoute', (route) => {
    const access = accessOf(route);
    route.config = { ...route.config, access };
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, access });
    // helmet (registered below with global: false) serves the HTML pages; the API gets its own list.
    if (isHtmlPage(route.url)) (route as { helmet?: object }).helmet = htmlPageHelmet(route.url);
    const own =
      route.onRequest === undefined
        ? []
        : Array.isArray(route.onRequest)
          ? route.onRequest
          : [route.onRequest];
    const headers = isHtmlPage(route.url) ? [] : [setApiSecurityHeaders];
    if (access === 'public') {
      route.onRequest = [...headers, ...own];
      return;
    }
    // The pages under /dashboard sign in with ?token= once and then a cookie (browser-session.ts).
    const session = isBrowserSessionPath(route.url);
    const key = `${session ? 'session:' : ''}${access.join(',')}`;
    const check = checks.get(key) ?? (session ? requireBrowserSession : requireRole)(access, verified);
    checks.set(key, check);
    route.onRequest = [...headers, check, ...own];
  });
  if (config.rateLimitMax > 0) {
    await app.register(rateLimit, {
      max: config.rateLimitMax,
      timeWindow: config.rateLimitWindowMs,
      // After the token check, so the key is the verified subject; before the body is read.
      hook: 'preParsing',
      // Probes (load balancers, orchestrators) and metrics scrapers poll from few addresses; they
      // must never be refused.
      allowList: (request) => request.url.startsWith('/health/') || request.url === '/metrics',
      keyGenerator: (request) =>
        request.principal === null ? `ip:${request.ip}` : `sub:${request.principal.sub}`,
    });
  }
  // helmet's default CSP (scripts and styles from 'self', inline styles) is what swagger-ui at /docs
  // needs; only those pages get helmet (lib/http/security-headers.ts).
  await app.register(helmet, { global: false });
}
