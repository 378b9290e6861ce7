/**
 * One PostgreSQL login role per service, with rights only on its own schema (the grants are made by
 * migrations/20261207_013_service_roles.ts and, for notifications, 20261207_015_notifications.ts; passwords are set by role-provisioning.ts). Roles are
 * cluster-wide: every database of the server (dev, test, bench, chaos) shares them.
 */
export const databaseServices = [
  'orchestrator',
  'inventory',
  'payment',
  'shipping',
  'notifications',
] as const;
export type DatabaseService = (typeof databaseServices)[number];

/** The schema each service owns its data in (its outbox and inbox live there too). */
export const serviceSchemas: Record<DatabaseService, string> = {
  orchestrator: 'orders',
  inventory: 'inventory',
  payment: 'payment',
  shipping: 'shipping',
  notifications: 'notifications',
};

export const serviceRoleOf = (service: DatabaseService): string => `order_saga_${service}`;

/** The variable that, when set, gives a service's database URL outright (e.g. PAYMENT_DATABASE_URL). */
export const serviceDatabaseUrlVariable = (service: DatabaseService): string =>
  `${service.toUpperCase()}_DATABASE_URL`;

/**
 * The owner's URL with the service's role and password instead of its user: same host, port,
 * database and query parameters.
 */
export function serviceDatabaseUrl(baseUrl: string, service: DatabaseService, password: string): string {
  const url = new URL(baseUrl);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new Error(`database URL ${url.protocol}//${url.host}: expected postgres: or postgresql:`);
  url.username = serviceRoleOf(service);
  url.password = encodeURIComponent(password);
  return url.toString();
}
