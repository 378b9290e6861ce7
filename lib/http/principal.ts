/**
 * Who calls an HTTP route, and who may. Every route states it in its options:
 * `config: { access: 'public' }` or `config: { access: ['operator'] }` (any of the roles listed).
 * The service app's auth hook (lib/http/auth.ts) verifies the bearer token and sets
 * `request.principal`; on a public route it stays null.
 */
export const roles = ['customer', 'operator'] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  /** The token's subject: a customer's id, or an operator's name. */
  sub: string;
  roles: readonly Role[];
}

export type RouteAccess = 'public' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}
