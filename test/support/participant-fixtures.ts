/** Helpers for the participants' integration tests (real PostgreSQL, no Kafka, no schema registry). */
export { jsonAuditTrail } from './json-audit-trail.ts';
export { jsonOutbox } from './json-outbox.ts';
export { createThrowawayDatabase, type ThrowawayDatabase } from './throwaway-database.ts';

import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { TypedRecord } from '../../lib/contracts/generated.ts';
import type { Knex } from '../../lib/db/database.ts';
import type { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import type { IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import type { ServiceDeps } from '../../lib/service/run-service.ts';
import type { ParticipantAppDeps } from '../../participants/common/participant-app.ts';
import { jsonAuditTrail } from './json-audit-trail.ts';
import { jsonOutbox } from './json-outbox.ts';
import type { ThrowawayDatabase } from './throwaway-database.ts';
import { testAuthConfig } from './tokens.ts';

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

/**
 * A participant's HTTP app (its `buildApp`) on a throwaway database, with a JSON audit trail and the
 * tests' auth, ready for inject().
 */
export async function participantApp(
  name: 'inventory' | 'payment' | 'shipping',
  buildApp: (
    deps: ParticipantAppDeps & Pick<ServiceDeps, 'units' | 'outbox' | 'newId'>,
    faults: FaultSwitch,
  ) => Promise<FastifyInstance>,
  database: ThrowawayDatabase,
  faults: FaultSwitch,
): Promise<FastifyInstance> {
  const { db, units } = database;
  const audit = jsonAuditTrail(name, name, units);
  const outbox = jsonOutbox(name);
  const app = await buildApp(
    { db, logger: silentLogger, units, audit, auth: testAuthConfig(), outbox, newId: randomUUID },
    faults,
  );
  await app.ready();
  return app;
}
