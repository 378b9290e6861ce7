import type { RouteOptions } from 'fastify';
import { type RouteAccess, roles } from './principal.ts';

/** Routes every service has that anyone may call: probes, the OpenAPI document and its UI (swagger-ui's own routes). */
export const publicPathPrefixes: readonly string[] = ['/health/', '/docs', '/openapi.json'];

export class RouteAccessError extends Error {
  constructor(method: string, url: string, problem: string) {
    super(
      `route ${method} ${url} ${problem}: state who may call it in its options, ` +
        "config: { access: 'public' } or config: { access: ['operator'] } (lib/http/principal.ts)",
    );
    this.name = 'RouteAccessError';
  }
}

const isPublicPath = (url: string): boolean => publicPathPrefixes.some((prefix) => url.startsWith(prefix));

/**
 * The access a route declares, checked when it is registered: a route without `config.access`
 * (outside the public prefixes), with an empty role list or an unknown role throws, so a new route
 * cannot forget to say who may call it.
 */
export function accessOf(route: Pick<RouteOptions, 'method' | 'url' | 'config'>): RouteAccess {
  const method = Array.isArray(route.method) ? route.method.join(',') : String(route.method);
  const access = (route.config as { access?: unknown } | undefined)?.access;
  if (access === undefined) {
    if (isPublicPath(route.url)) return 'public';
    throw new RouteAccessError(method, route.url, 'has no config.access');
  }
  if (access === 'public') return access;
  if (!Array.isArray(access) || access.length === 0) {
    throw new RouteAccessError(method, route.url, `has config.access ${JSON.stringify(access)}`);
  }
  for (const role of access) {
    if (!(roles as readonly unknown[]).includes(role)) {
      throw new RouteAccessError(method, route.url, `names the unknown role ${JSON.stringify(role)}`);
    }
  }
  return access as RouteAccess;
}
