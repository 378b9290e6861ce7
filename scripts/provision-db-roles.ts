/**
 * Gives the service roles (order_saga_<service>) LOGIN and their passwords on DATABASE_URL's server,
 * as its user. Run by `npm run stack -- up`; the other launchers call the same function themselves.
 */
import { loadEndpoints } from '../lib/config/common-config.ts';
import { provisionLocalServiceRoles } from './support/local-service-roles.ts';

await provisionLocalServiceRoles(loadEndpoints().databaseUrl);
