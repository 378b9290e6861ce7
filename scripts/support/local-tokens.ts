/**
 * Bearer tokens for the local stack's launchers and drivers (npm start, `npm run token`, chaos,
 * bench): HS256 with AUTH_JWT_SECRET when set, else the local stack's secret, the one perServiceEnv
 * gives the services.
 */
import type { Role } from '../../lib/http/principal.ts';
import { signToken } from '../../lib/http/sign-token.ts';
import { localSecret } from './local-secrets.ts';

export const defaultSubjects: Readonly<Record<Role, string>> = {
  customer: 'customer-1',
  operator: 'operator-1',
  carrier: 'carrier-1',
};

export function localToken(role: Role, sub: string = defaultSubjects[role], ttlS = 3_600): string {
  const secret = process.env.AUTH_JWT_SECRET || localSecret('auth-jwt-secret');
  return signToken({ sub, roles: [role] }, { alg: 'HS256', secret }, { ttlS });
}

/** `Bearer <token>`, for an Authorization header. */
export const localBearer = (role: Role, sub?: string, ttlS?: number): string =>
  `Bearer ${localToken(role, sub, ttlS)}`;
