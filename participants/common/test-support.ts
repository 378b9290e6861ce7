/** Helpers for the participants' integration tests (real PostgreSQL, no Kafka, no schema registry). */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { defaultDatabaseUrl } from '../../lib/config/common-config.ts';
import type { TypedRecord } from '../../lib/contracts/generated.ts';
import { createDatabase, ensureDatabaseExists, type Knex, migrateLatest } from '../../lib/db/database.ts';
import { systemClock } from '../../lib/ids.ts';
import type { IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import { Outbox } from '../../lib/outbox/outbox.ts';

/** A throwaway, migrated database `order_saga_it_<random>` on DATABASE_URL's server; `drop()` removes it. */
export interface ThrowawayDatabase {
  db: Knex;
  name: string;
  drop(): Promise<void>;
}

export async function createThrowawayDatabase({
  poolMax = 30,
}: {
  poolMax?: number;
} = {}): Promise<ThrowawayDatabase> {
  const name = `order_saga_it_${randomBytes(5).toString('hex')}`;
  const url = new URL(process.env.DATABASE_URL ?? defaultDatabaseUrl);
  url.pathname = `/${name}`;
  await ensureDatabaseExists(url.toString());
  const db = createDatabase(url.toString(), { poolMax });
  await migrateLatest(db);
  return {
    db,
    name,
    async drop() {
      await db.destroy();
      const admin = new URL(url);
      admin.pathname = '/postgres';
      const client = new pg.Client({ connectionString: admin.toString() });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A command as the consumer hands it to a handler: fresh message and correlation ids. */
export function commandMessage(
  topic: string,
  record: TypedRecord & { payload: { orderId: string } },
): IncomingMessage {
  return {
    topic,
    partition: 0,
    offset: '0',
    meta: {
      messageId: randomUUID(),
      orderId: record.payload.orderId,
      correlationId: randomUUID(),
      causationId: null,
      recordType: record.type,
      occurredAt: new Date().toISOString(),
    },
    record,
  };
}

/** The real outbox of `schema`, with JSON instead of Avro (no schema registry needed). */
export const jsonOutbox = (schema: string): Outbox =>
  new Outbox(schema, { encode: async (_type, payload) => Buffer.from(JSON.stringify(payload)) }, systemClock);

/** The replies (from a jsonOutbox) caused by these commands, in the commands' order; fails if one is missing. */
export async function repliesTo(
  db: Knex,
  schema: string,
  commands: readonly IncomingMessage[],
): Promise<TypedRecord[]> {
  const rows: Array<{ record_type: string; payload: Buffer; causation: string }> = await db(
    `${schema}.outbox`,
  ).select('record_type', 'payload', db.raw("headers->>'causation-id' as causation"));
  const byCause = new Map(rows.map((r) => [r.causation, r]));
  return commands.map((command) => {
    const row = byCause.get(command.meta.messageId);
    if (row === undefined) throw new Error(`no reply to ${command.record.type} ${command.meta.messageId}`);
    return { type: row.record_type, payload: JSON.parse(row.payload.toString('utf8')) } as TypedRecord;
  });
}

export const silentLogger = pino({ level: 'silent' });
