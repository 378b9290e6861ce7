/**
 * The reusable parts of the AsyncAPI document: one message per Avro record (its payload the record's
 * schema, by reference), the Kafka headers every message carries, the message keys, and the
 * dead-letter message. Header names come from the code that writes them (lib/messaging), so a
 * header added there without a description here fails the document's generation.
 */
import { type DeadLetter, deadLetterHeaders } from '../messaging/dead-letter.ts';
import { HeaderNames } from '../messaging/headers.ts';
import type { SchemaFile } from './schema-files.ts';

/** Avro 1.9 as AsyncAPI names it; the payload schemas are the files of `schemas/` as they are. */
export const avroSchemaFormat = 'application/vnd.apache.avro;version=1.9.0';

/** Bytes on the wire: the Confluent framing (magic byte 0, 4-byte schema id) and the Avro binary. */
export const avroContentType = 'avro/binary';

const headerDescriptions: Record<keyof typeof HeaderNames, string> = {
  messageId:
    'UUID of this message. Consumers deduplicate on it (their inbox); a command re-sent after a deadline keeps its id within a retry round.',
  orderId: 'The order the message is about (a UUID, also the message key).',
  correlationId: 'The id of the HTTP request that placed the order, carried by every message of its saga.',
  causationId:
    "Message id of the message that caused this one. A reply carries its command's id; the orchestrator accepts a reply only if it names the current step's command.",
  recordType: 'The record name of the payload, e.g. `ReserveStock`.',
  occurredAt: 'When the message was created (ISO 8601).',
  traceparent:
    "W3C trace context (`00-<trace id>-<parent span id>-<flags>`) of the span that produced the message. An order's trace id is its order id's hex digits; a message about no order may have none.",
};

const header = (key: keyof typeof HeaderNames, format?: string) => ({
  type: 'string',
  ...(format === undefined ? {} : { format }),
  description: headerDescriptions[key],
});

/** Kafka headers of a message; `order-id` is absent from an audit record that concerns no order. */
function messageHeaders(orderIdRequired: boolean) {
  const required = [
    HeaderNames.messageId,
    ...(orderIdRequired ? [HeaderNames.orderId] : []),
    HeaderNames.correlationId,
    HeaderNames.recordType,
    HeaderNames.occurredAt,
  ];
  return {
    type: 'object',
    required,
    properties: {
      [HeaderNames.messageId]: header('messageId', 'uuid'),
      [HeaderNames.orderId]: header('orderId', 'uuid'),
      [HeaderNames.correlationId]: header('correlationId', 'uuid'),
      [HeaderNames.causationId]: header('causationId', 'uuid'),
      [HeaderNames.recordType]: header('recordType'),
      [HeaderNames.occurredAt]: header('occurredAt', 'date-time'),
      [HeaderNames.traceparent]: header('traceparent'),
    },
  };
}

const deadLetterHeaderDescriptions: Record<string, string> = {
  'dlt-reason':
    'Why the message was dead-lettered: `undecodable`, `missing_header`, `invalid_key` (the key is not the order id) or `handler_failed`.',
  'dlt-error': 'The error, as `<name>: <message>` (at most 2000 characters).',
  'dlt-source-topic': 'The topic the message was consumed from.',
  'dlt-source-partition': 'Its partition.',
  'dlt-source-offset': 'Its offset.',
  'dlt-consumer-group': 'The consumer group that gave up on it.',
  'dlt-failed-at': 'When it was dead-lettered (ISO 8601).',
};

/** The names of the headers a dead letter adds, from the code that adds them. */
export function deadLetterHeaderNames(): string[] {
  const probe: DeadLetter = {
    topic: 'topic',
    partition: 0,
    message: { key: null, value: null, timestamp: '0', attributes: 0, offset: '0', headers: {} },
    reason: 'undecodable',
    error: new Error('probe'),
  };
  return Object.keys(deadLetterHeaders(probe, 'group', new Date(0)));
}

function deadLetterHeaderSchema() {
  const names = deadLetterHeaderNames();
  const undescribed = names.filter((name) => deadLetterHeaderDescriptions[name] === undefined);
  if (undescribed.length > 0) {
    throw new Error(`AsyncAPI: describe the dead-letter header(s) ${undescribed.join(', ')}`);
  }
  return {
    type: 'object',
    description: "The original message's headers, and these.",
    required: names,
    properties: Object.fromEntries(
      names.map((name) => [name, { type: 'string', description: deadLetterHeaderDescriptions[name] }]),
    ),
    additionalProperties: { type: 'string' },
  };
}

/** Schema key of a record's Avro schema under `components.schemas`. */
export const payloadSchemaKey = (file: SchemaFile): string => file.fullName;

const ref = (path: string) => ({ $ref: `#/components/${path}` });

export interface MessageNotes {
  /** What the code does with a record, by record name (e.g. when the saga sends it). */
  [record: string]: string;
}

/** The message of one record: its Avro payload by reference, its key, headers and registry subject. */
function recordMessage(file: SchemaFile, orderKeyed: boolean, notes: MessageNotes) {
  const doc = typeof file.schema.doc === 'string' ? file.schema.doc : undefined;
  const note = notes[file.name];
  return {
    name: file.name,
    title: file.name,
    ...(doc === undefined ? {} : { summary: doc }),
    ...(note === undefined ? {} : { description: note }),
    contentType: avroContentType,
    headers: ref(orderKeyed ? 'schemas/OrderMessageHeaders' : 'schemas/AuditMessageHeaders'),
    payload: ref(`schemas/${payloadSchemaKey(file)}`),
    correlationId: ref('correlationIds/correlationId'),
    bindings: {
      kafka: {
        key: ref(orderKeyed ? 'schemas/OrderKey' : 'schemas/AuditKey'),
        schemaIdLocation: 'payload',
        schemaIdPayloadEncoding: 'confluent',
        schemaLookupStrategy: 'TopicRecordNameStrategy',
        bindingVersion: '0.5.0',
      },
    },
    'x-registry-subject': file.subject,
    'x-schema-file': file.file,
  };
}

/** `components` of the document: messages, schemas and the correlation id. */
export function asyncApiComponents(
  schemas: readonly SchemaFile[],
  isOrderKeyed: (topic: string) => boolean,
  notes: MessageNotes,
) {
  return {
    schemas: {
      ...Object.fromEntries(
        schemas.map((file) => [
          payloadSchemaKey(file),
          { schemaFormat: avroSchemaFormat, schema: file.schema },
        ]),
      ),
      OrderKey: {
        type: 'string',
        format: 'uuid',
        description: 'The order id: every message of an order is on one partition, in order.',
      },
      AuditKey: {
        type: 'string',
        description: 'The audited target: `order:<id>`, `faults:<service>` or `sku:<sku>`.',
      },
      OrderMessageHeaders: messageHeaders(true),
      AuditMessageHeaders: messageHeaders(false),
      DeadLetterHeaders: deadLetterHeaderSchema(),
      DeadLetterPayload: {
        type: 'string',
        format: 'binary',
        description: 'The original message value, byte for byte (it may not decode).',
      },
    },
    messages: {
      ...Object.fromEntries(
        schemas.map((file) => [file.name, recordMessage(file, isOrderKeyed(file.topic), notes)]),
      ),
      DeadLetter: {
        name: 'DeadLetter',
        title: 'Dead letter',
        summary:
          'A message its consumer could not decode or handle, with its original key, value and headers.',
        contentType: 'application/octet-stream',
        headers: ref('schemas/DeadLetterHeaders'),
        payload: ref('schemas/DeadLetterPayload'),
      },
    },
    correlationIds: {
      correlationId: {
        description: 'Every message of one order saga carries the id of the request that placed the order.',
        location: `$message.header#/${HeaderNames.correlationId}`,
      },
    },
  };
}
