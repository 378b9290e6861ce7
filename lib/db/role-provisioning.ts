/**
 * Gives each service role (service-roles.ts) LOGIN and its password, creating the role if no
 * migration did yet. Run by the launchers (npm run stack -- up, npm start, npm run migrate, the
 * tests, chaos, bench) as the database owner; roles are cluster-wide, so once per server suffices.
 *
 * The password is sent as a SCRAM-SHA-256 verifier computed here, never as plain text: ALTER ROLE
 * is a utility statement, and its text can reach the server log or pg_stat_statements.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import pg from 'pg';
import { type DatabaseService, databaseServices, serviceRoleOf } from './service-roles.ts';
import { sessionOptions } from './session-timeouts.ts';

const scramIterations = 4096; // PostgreSQL's default (scram_iterations)

/**
 * The verifier PostgreSQL stores for a SCRAM-SHA-256 password (RFC 5802/7677, as `\password` and
 * libpq's PQencryptPasswordConn build it): `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
 * The password is used as is (no SASLprep): the local secrets are ASCII.
 */
export function scramSha256Verifier(
  password: string,
  salt: Buffer = randomBytes(16),
  iterations = scramIterations,
): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** SQLSTATEs of a concurrent CREATE ROLE of the same name (another launcher, another database's migration). */
const roleCreatedConcurrently = new Set(['42710', '23505']);

/** Sets LOGIN and the password of every service role, creating the roles that do not exist yet. */
export async function provisionServiceRoles(
  adminDatabaseUrl: string,
  passwords: Readonly<Record<DatabaseService, string>>,
): Promise<void> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl, options: sessionOptions() });
  try {
    await client.connect();
  } catch (error) {
    const host = new URL(adminDatabaseUrl).host;
    throw new Error(`provisioning service roles: PostgreSQL at ${host}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    for (const service of databaseServices) {
      const role = serviceRoleOf(service);
      const password = passwords[service];
      if (password === '') throw new Error(`provisioning ${role}: the password is empty`);
      const options = `login password ${literal(scramSha256Verifier(password))}`;
      const found = await client.query('select 1 from pg_roles where rolname = $1', [role]);
      if (found.rowCount === 0) {
        try {
          await client.query(`create role ${role} ${options}`);
          continue;
        } catch (error) {
          if (!roleCreatedConcurrently.has((error as { code?: string }).code ?? '')) throw error;
        }
      }
      await client.query(`alter role ${role} ${options}`);
    }
  } catch (error) {
    throw new Error(`provisioning service roles: ${(error as Error).message}`, { cause: error });
  } finally {
    await client.end();
  }
}
