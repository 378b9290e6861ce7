/**
 * The service roles' passwords on this machine: `<SERVICE>_DB_PASSWORD` when set (docker-compose.yml
 * passes them so), otherwise the local secret `postgres-<service>` (.stack/secrets). Every launcher
 * calls provisionLocalServiceRoles after creating or migrating its database; roles are cluster-wide,
 * so the call is the same whichever database of the server it names.
 */
import { provisionServiceRoles } from '../../lib/db/role-provisioning.ts';
import { type DatabaseService, databaseServices } from '../../lib/db/service-roles.ts';
import { localSecret } from './local-secrets.ts';

export const servicePasswordVariable = (service: DatabaseService): string =>
  `${service.toUpperCase()}_DB_PASSWORD`;

export const serviceRolePassword = (service: DatabaseService, env: NodeJS.ProcessEnv): string =>
  env[servicePasswordVariable(service)] || localSecret(`postgres-${service}`);

/** Gives every service role LOGIN and its password, as the owner in `databaseUrl`. */
export function provisionLocalServiceRoles(
  databaseUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const passwords = Object.fromEntries(
    databaseServices.map((service) => [service, serviceRolePassword(service, env)]),
  ) as Record<DatabaseService, string>;
  return provisionServiceRoles(databaseUrl, passwords);
}
