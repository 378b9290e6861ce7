import { defaultDatabaseUrl } from '../../lib/config/common-config.ts';
import { serviceDatabaseUrl, serviceDatabaseUrlVariable } from '../../lib/db/service-roles.ts';
import { kafkaEnvFor } from './kafka-env.ts';
import { localSecret } from './local-secrets.ts';
import { serviceRolePassword } from './local-service-roles.ts';

/**
 * What every launcher (npm start, the tests, the chaos run, the bench) adds to a service's
 * environment: the settings that differ per service, such as the credentials of its own principal.
 * `base` is the environment the launcher built (its DATABASE_URL, TOPIC_PREFIX, …); what this returns
 * is spread over it.
 */

export type ServiceNameForEnv = 'orchestrator' | 'inventory' | 'payment' | 'shipping' | 'notifications';

export function perServiceEnv(name: ServiceNameForEnv, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...databaseEnv(name, base), ...authEnv(base), ...kafkaEnvFor(name, base) };
}

/**
 * HTTP bearer tokens (lib/http/auth.ts): the local stack's HS256 secret, unless the launcher set a
 * secret or an issuer's JWKS; `npm run token` signs with the same secret.
 */
function authEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return base.AUTH_JWT_SECRET || base.AUTH_JWKS_URL
    ? {}
    : { AUTH_JWT_SECRET: localSecret('auth-jwt-secret') };
}

/**
 * The service logs into PostgreSQL as its own role (order_saga_<name>; password <NAME>_DB_PASSWORD
 * or the local secret), on the launcher's database. `<NAME>_DATABASE_URL` in `base`, when set, wins.
 */
function databaseEnv(name: ServiceNameForEnv, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const explicit = base[serviceDatabaseUrlVariable(name)];
  if (explicit) return { DATABASE_URL: explicit };
  const ownerUrl = base.DATABASE_URL || defaultDatabaseUrl;
  return { DATABASE_URL: serviceDatabaseUrl(ownerUrl, name, serviceRolePassword(name, base)) };
}
