/**
 * The start-up check of a service's database login: it can log in, and its role may do what every
 * service does in its schema (outbox, inbox). A wrong password, a missing role or a missing grant
 * stops the service with one line naming the role and what was refused, instead of a relay or a
 * consumer failing later on its first message.
 */
import type { Knex } from 'knex';

export class DatabaseAccessError extends Error {
  readonly role: string;
  constructor(role: string, refused: string, options?: { cause?: unknown }) {
    super(`PostgreSQL refused role ${role}: ${refused}`, options);
    this.name = 'DatabaseAccessError';
    this.role = role;
  }
}

/** What a service's role must hold in its own schema, checked once at start-up. */
const requiredPrivileges = (schema: string) =>
  [
    { object: `schema ${schema}`, sql: `has_schema_privilege('${schema}', 'USAGE')`, refused: 'usage' },
    ...['SELECT', 'INSERT', 'DELETE'].map((privilege) => ({
      object: `table ${schema}.outbox`,
      sql: `has_table_privilege('${schema}.outbox', '${privilege}')`,
      refused: privilege.toLowerCase(),
    })),
    ...['SELECT', 'INSERT'].map((privilege) => ({
      object: `table ${schema}.inbox`,
      sql: `has_table_privilege('${schema}.inbox', '${privilege}')`,
      refused: privilege.toLowerCase(),
    })),
  ] as const;

const isServerError = (error: unknown): error is { code: string; message: string } =>
  typeof (error as { code?: unknown }).code === 'string' && /^[0-9A-Z]{5}$/.test((error as { code: string }).code);

/**
 * Logs in with `db` and checks the role's rights on `schema` (one query). Throws DatabaseAccessError
 * when the server refuses the login or a right is missing; a server that does not answer is a plain
 * error naming its address.
 */
export async function checkDatabaseAccess(db: Knex, databaseUrl: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`schema name ${JSON.stringify(schema)}`);
  const url = new URL(databaseUrl);
  let role = decodeURIComponent(url.username) || '(the default user)';
  const checks = requiredPrivileges(schema);
  let row: Record<string, unknown>;
  try {
    const result = await db.raw<{ rows: Record<string, unknown>[] }>(
      `select current_user as role, ${checks.map((check, i) => `${check.sql} as c${i}`).join(', ')}`,
    );
    row = result.rows[0] ?? {};
  } catch (error) {
    if (isServerError(error)) throw new DatabaseAccessError(role, error.message, { cause: error });
    throw new Error(`PostgreSQL at ${url.host} (role ${role}): ${(error as Error).message}`, { cause: error });
  }
  role = String(row.role);
  const refused = checks.filter((_, i) => row[`c${i}`] !== true);
  if (refused.length > 0) {
    const what = refused.map((check) => `${check.refused} on ${check.object}`).join(', ');
    throw new DatabaseAccessError(role, `permission denied: ${what}`);
  }
}
