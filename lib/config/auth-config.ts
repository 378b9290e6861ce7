import type { EnvReader } from './env.ts';

/** How bearer tokens are verified: a shared HS256 secret (local stack) or an issuer's JWKS (RS256). */
export type TokenVerification = { kind: 'hs256'; secret: string } | { kind: 'jwks'; jwksUrl: string };

/** The HTTP trust boundary of a service (lib/http/auth.ts). */
export interface AuthConfig {
  verification: TokenVerification;
  /** When set, a token's `iss` must equal it. */
  issuer: string | null;
  /** When set, a token's `aud` must contain it. */
  audience: string | null;
  /** Registers the participants' `/faults` routes (operator only); off in a deployment by default. */
  faultsEnabled: boolean;
  /** Requests per window per subject (client IP without a token); 0 = no limit. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
}

export const minJwtSecretLength = 32;

function readVerification(reader: EnvReader): TokenVerification {
  const secret = reader.optional('AUTH_JWT_SECRET');
  const jwksUrl = reader.optional('AUTH_JWKS_URL');
  if (secret !== undefined && jwksUrl !== undefined) {
    reader.problem('AUTH_JWT_SECRET and AUTH_JWKS_URL are both set: set one (HS256 secret or RS256 JWKS)');
  }
  if (jwksUrl !== undefined) {
    return { kind: 'jwks', jwksUrl: reader.url('AUTH_JWKS_URL', jwksUrl, ['http:', 'https:']) };
  }
  if (secret === undefined) {
    reader.problem(
      'AUTH_JWT_SECRET or AUTH_JWKS_URL is required: HTTP bearer tokens cannot be verified without one',
    );
    return { kind: 'hs256', secret: '' };
  }
  if (secret.length < minJwtSecretLength) {
    reader.problem(
      `AUTH_JWT_SECRET must be at least ${minJwtSecretLength} characters (it has ${secret.length})`,
    );
  }
  return { kind: 'hs256', secret };
}

/** Read by every service's config loader; a service without a way to verify tokens does not start. */
export function readAuthConfig(reader: EnvReader): AuthConfig {
  return {
    verification: readVerification(reader),
    issuer: reader.optional('AUTH_JWT_ISSUER') ?? null,
    audience: reader.optional('AUTH_JWT_AUDIENCE') ?? null,
    faultsEnabled: reader.boolean('FAULTS_ENABLED', false),
    rateLimitMax: reader.int('RATE_LIMIT_MAX', 6_000, { min: 0, max: 100_000_000 }),
    rateLimitWindowMs: reader.int('RATE_LIMIT_WINDOW_MS', 60_000, { min: 1, max: 86_400_000 }),
  };
}
