/**
 * What every launcher (npm start, the tests, the chaos run, the bench) adds to a service's
 * environment: the settings that differ per service, such as the credentials of its own principal.
 * `base` is the environment the launcher built (its DATABASE_URL, TOPIC_PREFIX, …); what this returns
 * is spread over it.
 */
import { localSecret } from './local-secrets.ts';

export type ServiceNameForEnv = 'orchestrator' | 'inventory' | 'payment' | 'shipping';

export function perServiceEnv(_name: ServiceNameForEnv, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    // HTTP bearer tokens (lib/http/auth.ts): the local stack's HS256 secret, unless the launcher set a
    // secret or an issuer's JWKS; `npm run token` signs with the same secret.
    ...(base.AUTH_JWT_SECRET || base.AUTH_JWKS_URL
      ? {}
      : { AUTH_JWT_SECRET: localSecret('auth-jwt-secret') }),
  };
}
