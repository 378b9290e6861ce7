/**
 * The start-up check of a service's database login: it can log in, and its role may do what every
 * service does in its schema (outbox, inbox). A wrong password, a missing role or a missing grant
 * stops the service with one line naming the role and what was refused, instead of a relay or a
 * consumer failing later on its first message.
 */
import pg from 'pg';
import { sessionOptions } from './session-timeouts.ts';

export class DatabaseAccessError extends Error {
  readonly role: string;
  constructor(role: string, refused: string, options?: { cause?: unknown }) {
    super(`PostgreSQL refused role ${role}: ${refused}`, options);
    this.name = 'DatabaseAccessError';
    this.role = role;
  }
}

/**
 * What a service's role must hold in its own schema, checked once at start-up. Objects are named by
 * their oid: looking a table up by name in a schema the role may not use fails before any check.
 */
function requiredPrivileges(schema: string) {
  const schemaOid = `(select oid from pg_namespace where nspname = '${schema}')`;
  const tableOid = (table: string) =>
    `(select oid from pg_class where relnamespace = ${schemaOid} and relname = '${table}')`;
  const onTable = (table: string, privileges: readonly string[]) =>
    privileges.map((privilege) => ({
      object: `table ${schema}.${table}`,
      sql: `has_table_privilege(${tableOid(table)}, '${privilege}')`,
      refused: privilege.toLowerCase(),
    }));
  return [
    { object: `schema ${schema}`, sql: `has_schema_privilege(${schemaOid}, 'USAGE')`, refused: 'usage' },
    ...onTable('outbox', ['SELECT', 'INSERT', 'DELETE']),
    ...onTable('inbox', ['SELECT', 'INSERT']),
  ];
}

const isServerError = (error: unknown): error is { code: string; message: string } =>
  typeof (error as { code?: unknown }).code === 'string' &&
  /^[0-9A-Z]{5}$/.test((error as { code: string }).code);

/**
 * Logs in to `databaseUrl` (one connection, closed after) and checks the role's rights on `schema`
 * in one query. Throws DatabaseAccessError when the server refuses the login or a right is missing
 * (a missing table counts as refused: migrations not applied); a server that does not answer is a
 * plain error naming its address.
 */
export async function checkDatabaseAccess(databaseUrl: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`schema name ${JSON.stringify(schema)}`);
  const url = new URL(databaseUrl);
  let role = decodeURIComponent(url.username) || '(the default user)';
  const checks = requiredPrivileges(schema);
  const client = new pg.Client({ connectionString: databaseUrl, options: sessionOptions() });
  let row: Record<string, unknown>;
  try {
    await client.connect();
    const result = await client.query<Record<string, unknown>>(
      `select current_user as role, ${checks.map((check, i) => `${check.sql} as c${i}`).join(', ')}`,
    );
    row = result.rows[0] ?? {};
  } catch (error) {
    if (isServerError(error)) throw new DatabaseAccessError(role, error.message, { cause: error });
    throw new Error(`PostgreSQL at ${url.host} (role ${role}): ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
  role = String(row.role);
  const refused = checks.filter((_, i) => row[`c${i}`] !== true);
  if (refused.length > 0) {
    const what = refused.map((check) => `${check.refused} on ${check.object}`).join(', ');
    throw new DatabaseAccessError(role, `permission denied: ${what}`);
  }
}
