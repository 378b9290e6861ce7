/**
 * Bearer tokens for tests: signed with AUTH_JWT_SECRET (npm test gives the test processes the secret
 * the e2e services verify with), or a random per-process secret for in-process apps (`testAuthConfig`).
 */
import { randomBytes } from 'node:crypto';
import type { AuthConfig } from '../../lib/config/auth-config.ts';
import type { Role } from '../../lib/http/principal.ts';
import { type SignOptions, signToken } from '../../lib/http/sign-token.ts';
import { defaultSubjects } from '../../scripts/support/local-tokens.ts';

export const testJwtSecret = process.env.AUTH_JWT_SECRET ?? randomBytes(32).toString('base64url');

/** The auth settings of an app built in a test: HS256 with testJwtSecret, faults on, no rate limit. */
export function testAuthConfig(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    verification: { kind: 'hs256', secret: testJwtSecret },
    issuer: null,
    audience: null,
    faultsEnabled: true,
    rateLimitMax: 0,
    rateLimitWindowMs: 60_000,
    ...overrides,
  };
}

export const defaultSubject = (role: Role): string => defaultSubjects[role];

export const tokenFor = (role: Role, sub: string = defaultSubject(role), options: SignOptions = {}): string =>
  signToken({ sub, roles: [role] }, { alg: 'HS256', secret: testJwtSecret }, options);

/** `{ authorization: 'Bearer …' }` for a principal with the one role. */
export const bearer = (role: Role, sub?: string, options?: SignOptions): { authorization: string } => ({
  authorization: `Bearer ${tokenFor(role, sub, options)}`,
});
