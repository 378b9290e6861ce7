import { type Principal, type Role, roles } from './principal.ts';

const isRole = (value: unknown): value is Role => (roles as readonly unknown[]).includes(value);

/**
 * The principal of a verified token's claims: `sub` (required, a non-empty string) and `roles`
 * (an array of role names; names this system does not know are ignored). A string says what is wrong.
 */
export function principalFromClaims(claims: unknown): Principal | string {
  if (typeof claims !== 'object' || claims === null) return 'the token has no claims object';
  const { sub, roles: claimed } = claims as { sub?: unknown; roles?: unknown };
  if (typeof sub !== 'string' || sub === '') return 'the token has no sub claim';
  if (claimed !== undefined && !Array.isArray(claimed)) return 'the roles claim of the token is not an array';
  return { sub, roles: (claimed ?? []).filter(isRole) };
}
