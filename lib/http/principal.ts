/**
 * Who calls an HTTP route, and who may. Every route states it in its options:
 * `config: { access: 'public' }` or `config: { access: ['operator'] }` (any of the roles listed).
 * The service app's auth hook (lib/http/auth.ts) verifies the bearer token and sets
 * `request.principal`; on a public route it stays null.
 */
/** `carrier`: the shipping carrier, which reports pickups and deliveries (POST /shipments/:shipmentId/events). */
export const roles = ['customer', 'operator', 'carrier'] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  /** The token's subject: a customer's id, or an operator's name. */
  sub: string;
  roles: readonly Role[];
}

export type RouteAccess = 'public' | readonly Role[];

/**
 * The customer whose data a request may see: the principal's own subject, or null (everyone's) for
 * an operator. Routes that serve both roles filter their queries with it.
 */
export const customerScope = (principal: Principal): string | null =>
  principal.roles.includes('operator') ? null : principal.sub;

/** The principal of a request on a protected route (the auth hook has set it). */
export function principalOf(request: { principal: Principal | null; url: string }): Principal {
  if (request.principal === null) {
    throw new Error(`${request.url}: no principal on a protected route; is its config.access 'public'?`);
  }
  return request.principal;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}
