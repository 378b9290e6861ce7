import type { TypedRecord } from '../contracts/generated.ts';
import type { UnitOfWork } from '../db/unit-of-work.ts';
import type { MessageMeta } from './headers.ts';

/** A decoded message as handlers see it. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  meta: MessageMeta;
  record: TypedRecord;
}

/**
 * Applies a batch of new (never processed) messages inside the given unit of work (its reads lock,
 * its writes go to `unit.writes`). It must not catch and hide errors: a throw rolls the batch back.
 * Business failures are replies, not throws.
 */
export type BatchHandler = (unit: UnitOfWork, messages: readonly IncomingMessage[]) => Promise<void>;

/** Turns a message value (Confluent-framed Avro) into its typed record. */
export interface RecordDecoder {
  decode(buffer: Buffer): Promise<TypedRecord>;
}
