/**
 * Poison messages for the consumed topics (test/e2e/poison-messages.e2e.spec.ts): one builder per
 * kind of defect, each with the dead-letter reason the consumer must give it. Every message carries
 * a `poison-id` header (kept on the dead letter) to find it again, and texts that an error
 * classification by message would take for an outage ("Connection terminated", "ECONNRESET").
 */
import { randomUUID } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { frame } from '../../lib/avro/confluent-framing.ts';
import type { RecordSchema } from '../../lib/avro/record-catalog.ts';
import type { RecordName } from '../../lib/contracts/generated.ts';
import type { DeadLetterReason } from '../../lib/messaging/dead-letter.ts';
import { HeaderNames } from '../../lib/messaging/headers.ts';
import { firstMessageHeaders } from './kafka-harness.ts';

/** Text that once made an error look like a database outage when a payload put it in a message. */
export const outageText = 'Connection terminated unexpectedly; read ECONNRESET';

export interface PoisonContext {
  /** The consumed topic (deployed name). */
  topic: string;
  /** A record this topic carries, and one it does not (another topic's). */
  own: RecordName;
  foreign: RecordName;
  /** True for the orchestrator's reply topics: a valid record for an unknown order is poison there. */
  replies: boolean;
  encode(type: RecordName, payload: Record<string, unknown>): Promise<Buffer>;
  schemaIdOf(type: RecordName): number;
  /** A valid random payload of a record, with this order id. */
  payloadOf(type: RecordName, orderId: string): Record<string, unknown>;
  /** Schema id of a record registered under a subject none of our topics carries. */
  foreignSchemaId: number;
  /** A schema id the registry does not know. */
  unknownSchemaId: number;
}

export interface PoisonMessage {
  kind: string;
  reason: DeadLetterReason;
  key: string | null;
  value: Buffer | null;
  headers: IHeaders;
}

type Builder = (c: PoisonContext, orderId: string) => Promise<Omit<PoisonMessage, 'kind' | 'reason'>>;

const headersOf = (type: RecordName, orderId: string, extra: Record<string, string> = {}) => ({
  ...firstMessageHeaders(type, orderId, randomUUID()),
  ...extra,
});

/** The kinds, with the reason each must be dead-lettered for. `repliesOnly` kinds are valid commands. */
export const poisonKinds: ReadonlyArray<{
  kind: string;
  reason: DeadLetterReason;
  repliesOnly?: boolean;
  build: Builder;
}> = [
  {
    kind: 'not-avro',
    reason: 'undecodable',
    build: async (c, orderId) => ({
      key: orderId,
      value: Buffer.from(`not avro: ${outageText}`),
      headers: headersOf(c.own, orderId),
    }),
  },
  {
    kind: 'wrong-magic-byte',
    reason: 'undecodable',
    build: async (c, orderId) => {
      const value = Buffer.from(await c.encode(c.own, c.payloadOf(c.own, orderId)));
      value[0] = 1;
      return { key: orderId, value, headers: headersOf(c.own, orderId) };
    },
  },
  {
    kind: 'unknown-schema-id',
    reason: 'undecodable',
    build: async (c, orderId) => ({
      key: orderId,
      value: frame(c.unknownSchemaId, Buffer.from(outageText)),
      headers: headersOf(c.own, orderId),
    }),
  },
  {
    kind: 'schema-of-another-subject',
    reason: 'undecodable',
    build: async (c, orderId) => ({
      key: orderId,
      value: frame(c.foreignSchemaId, Buffer.concat([Buffer.from([72]), Buffer.from(orderId)])),
      headers: headersOf(c.own, orderId),
    }),
  },
  {
    kind: 'record-of-another-topic',
    reason: 'handler_failed',
    build: async (c, orderId) => ({
      key: orderId,
      value: await c.encode(c.foreign, c.payloadOf(c.foreign, orderId)),
      headers: headersOf(c.foreign, orderId),
    }),
  },
  {
    kind: 'record-type-header-lies',
    reason: 'undecodable',
    build: async (c, orderId) => ({
      key: orderId,
      value: await c.encode(c.foreign, c.payloadOf(c.foreign, orderId)),
      headers: headersOf(c.own, orderId, { [HeaderNames.traceparent]: `00-${outageText}-01` }),
    }),
  },
  {
    kind: 'no-headers',
    reason: 'missing_header',
    build: async (c, orderId) => ({
      key: orderId,
      value: await c.encode(c.own, c.payloadOf(c.own, orderId)),
      headers: {},
    }),
  },
  {
    kind: 'bad-message-id-and-traceparent',
    reason: 'missing_header',
    build: async (c, orderId) => ({
      key: orderId,
      value: await c.encode(c.own, c.payloadOf(c.own, orderId)),
      headers: headersOf(c.own, orderId, {
        [HeaderNames.messageId]: outageText,
        [HeaderNames.traceparent]: 'ECONNRESET',
      }),
    }),
  },
  {
    kind: 'unknown-record-type-header',
    reason: 'missing_header',
    build: async (c, orderId) => ({
      key: orderId,
      value: await c.encode(c.own, c.payloadOf(c.own, orderId)),
      headers: headersOf(c.own, orderId, { [HeaderNames.recordType]: outageText }),
    }),
  },
  {
    kind: 'null-value',
    reason: 'undecodable',
    build: async (c, orderId) => ({ key: orderId, value: null, headers: headersOf(c.own, orderId) }),
  },
  {
    kind: 'oversized-value',
    reason: 'undecodable',
    build: async (c, orderId) => ({
      key: orderId,
      // our schema id, then 512 KiB the record's schema does not end at
      value: frame(c.schemaIdOf(c.own), Buffer.alloc(512 * 1024, 0x41)),
      headers: headersOf(c.own, orderId),
    }),
  },
  {
    kind: 'truncated-avro',
    reason: 'undecodable',
    build: async (c, orderId) => {
      const whole = await c.encode(c.own, c.payloadOf(c.own, orderId));
      return { key: orderId, value: whole.subarray(0, 5 + 10), headers: headersOf(c.own, orderId) };
    },
  },
  {
    kind: 'key-not-an-order-id',
    reason: 'invalid_key',
    build: async (c, orderId) => ({
      key: outageText,
      value: await c.encode(c.own, c.payloadOf(c.own, orderId)),
      headers: headersOf(c.own, orderId),
    }),
  },
  {
    kind: 'key-of-another-order',
    reason: 'invalid_key',
    build: async (c, orderId) => ({
      key: randomUUID(),
      value: await c.encode(c.own, c.payloadOf(c.own, orderId)),
      headers: headersOf(c.own, orderId),
    }),
  },
  {
    kind: 'no-key',
    reason: 'invalid_key',
    build: async (c, orderId) => ({
      key: null,
      value: await c.encode(c.own, c.payloadOf(c.own, orderId)),
      headers: headersOf(c.own, orderId),
    }),
  },
  {
    // the payload's order id is text that reads like an outage: the server and the handlers quote it
    kind: 'payload-order-id-is-outage-text',
    reason: 'handler_failed',
    build: async (c, orderId) => ({
      key: orderId,
      value: await c.encode(c.own, c.payloadOf(c.own, outageText)),
      headers: headersOf(c.own, orderId),
    }),
  },
  {
    kind: 'valid-reply-for-an-unknown-order',
    reason: 'handler_failed',
    repliesOnly: true,
    build: async (c, orderId) => ({
      key: orderId,
      value: await c.encode(c.own, c.payloadOf(c.own, orderId)),
      headers: headersOf(c.own, orderId),
    }),
  },
];

/** A valid random payload of a record (avsc), its ids UUIDs, its order id the one given. */
export function randomPayload(schema: RecordSchema, orderId: string): Record<string, unknown> {
  const ids = (value: unknown, key = ''): unknown => {
    if (Array.isArray(value)) return value.map((v) => ids(v));
    if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value))
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ids(v, k)]));
    if (typeof value === 'string' && /Id$/.test(key)) return randomUUID();
    return value;
  };
  const payload = ids(schema.type.random()) as Record<string, unknown>;
  return { ...payload, orderId };
}
