/**
 * Encodes a whole produce request body into one exactly sized buffer, byte for byte what kafkajs
 * 2.2.4 writes (Produce v3; kafkajs's v4–v7 requests reuse v3's body).
 *
 * kafkajs builds the body in layers — each record, each partition's record batch (three nested
 * `Encoder`s), each partition, each topic, the request — and every layer starts from a zero-filled
 * 512-byte `Buffer.alloc`, grows by allocating a zero-filled buffer of the next power of two and
 * copying, and is then copied whole into the layer above. A record thus reaches the socket after
 * about seven copies, through as many short-lived buffers of the batch's size. In a microbenchmark
 * of a request like the outbox relay's (90 records of this project's shape over 2 topics × 3
 * partitions) kafkajs 2.2.4 took 33.7 µs per record, 7.6 µs with its record encoder replaced by
 * `record-encoder.ts` (this project's patch until this module), and this encoder 1.7 µs
 * (a microbenchmark now in git history: `bench/produce-encoding.ts`; bench/README, session of
 * 2026-12-03 (sixth)).
 *
 * Here every record is measured first (`measureRecord`), the body's size follows, and the records
 * are written straight into their batch in one `Buffer.allocUnsafe`; each batch's CRC-32C is
 * computed over its bytes in place (`crc32c.ts`, three times kafkajs's speed). Every batch of a
 * request carries the same timestamp (kafkajs reads the clock once per partition, in the same
 * moment). kafkajs's request framing (`protocol/request.js`) then copies the body once more, as
 * for every request.
 *
 * kafkajs loads the produce request modules lazily, on the first produce request: the v3 module is
 * loaded here and its export replaced in the module cache before v4–v7, which take it when they
 * load. Requests this encoder does not handle — compression, a transactional id, a message with its
 * own timestamp, an empty partition, a record `measureRecord` leaves to kafkajs — are encoded by
 * kafkajs's own code, unchanged.
 */
import { createRequire } from 'node:module';
import { crc32c } from './crc32c.ts';
import { kafkajsModulePath, replaceKafkajsModule } from './kafkajs-module-cache.ts';
import { type MeasuredRecord, measureRecord, type RecordToEncode, writeRecord } from './record-encoder.ts';

/** The parts of kafkajs's `Encoder` its request framing uses. */
export interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
}

/** kafkajs's 64-bit integer (a BigInt wrapper) as far as this module uses it. */
interface KafkajsLong {
  getHighBits(): number;
  getLowBits(): number;
}

export interface MessageToProduce extends RecordToEncode {
  timestamp?: unknown;
}

/** The argument kafkajs's broker passes to the produce request. */
export interface ProduceRequestArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: ReadonlyArray<{
    topic: string;
    partitions: ReadonlyArray<{
      partition: number;
      firstSequence?: number;
      messages: readonly MessageToProduce[];
    }>;
  }>;
}

/** What kafkajs's produce request module returns: the request the broker connection sends. */
export interface ProduceRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  expectResponse: () => boolean;
  encode: () => Promise<KafkajsEncoder>;
}

type ProduceRequestFactory = (args: ProduceRequestArgs) => ProduceRequest;

const require = createRequire(import.meta.url);
const Long: {
  fromValue(value: unknown): KafkajsLong;
  fromInt(value: number): KafkajsLong;
} = require('kafkajs/src/utils/long.js');
const encoderPrototype: object = (require('kafkajs/src/protocol/encoder.js') as { prototype: object })
  .prototype;
const produceV3Path = kafkajsModulePath('kafkajs/src/protocol/requests/produce/v3/request.js');
const laterProducePaths = [4, 5, 6, 7].map((version) =>
  kafkajsModulePath(`kafkajs/src/protocol/requests/produce/v${version}/request.js`),
);

const COMPRESSION_NONE = 0;
const MAGIC_BYTE = 2;
/** Partition leader epoch, magic byte and CRC: the part of a record batch before the CRC'd body. */
const BATCH_PREFIX_BYTES = 4 + 1 + 4;
/** Attributes, last offset delta, first and max timestamp, producer id and epoch, first sequence, record count. */
const BATCH_BODY_HEADER_BYTES = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;

interface MeasuredPartition {
  partition: number;
  firstSequence: number;
  records: MeasuredRecord[];
  recordBytes: number;
}

interface MeasuredTopic {
  topic: string;
  topicLength: number;
  partitions: MeasuredPartition[];
}

/** The body's topics measured, or null when kafkajs has to encode the request. */
function measureTopics(
  topicData: ProduceRequestArgs['topicData'],
): { topics: MeasuredTopic[]; size: number } | null {
  let size = 2 + 2 + 4 + 4; // transactional id (null), acks, timeout, topic count
  const topics: MeasuredTopic[] = [];
  for (const { topic, partitions } of topicData) {
    if (typeof topic !== 'string' || !Array.isArray(partitions)) return null;
    const topicLength = Buffer.byteLength(topic, 'utf8');
    size += 2 + topicLength + 4;
    const measuredPartitions: MeasuredPartition[] = [];
    for (const { partition, firstSequence = 0, messages } of partitions) {
      if (!Number.isInteger(partition) || !Number.isInteger(firstSequence)) return null;
      if (!Array.isArray(messages) || messages.length === 0) return null;
      const records: MeasuredRecord[] = [];
      let recordBytes = 0;
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i] as MessageToProduce;
        if (message.timestamp != null) return null;
        const record = measureRecord(message, i);
        if (record === null) return null;
        records.push(record);
        recordBytes += record.size;
      }
      measuredPartitions.push({ partition, firstSequence, records, recordBytes });
      size += 4 + 4 + 8 + 4 + BATCH_PREFIX_BYTES + BATCH_BODY_HEADER_BYTES + recordBytes;
    }
    topics.push({ topic, topicLength, partitions: measuredPartitions });
  }
  return { topics, size };
}

/** A kafkajs `Encoder` over `buf`, positioned at its end. */
function kafkajsEncoderOver(buf: Buffer): KafkajsEncoder {
  const encoder = Object.create(encoderPrototype) as KafkajsEncoder;
  encoder.buf = buf;
  encoder.offset = buf.length;
  return encoder;
}

function writeInt64(buf: Buffer, offset: number, value: unknown): number {
  const long = Long.fromValue(value);
  buf.writeInt32BE(long.getHighBits(), offset);
  buf.writeInt32BE(long.getLowBits(), offset + 4);
  return offset + 8;
}

/**
 * The produce request body kafkajs would write for `args` with `nowMs` as the batches' timestamp,
 * or null when the request is one kafkajs has to encode.
 */
export function encodeProduceRequestBody(args: ProduceRequestArgs, nowMs: number): KafkajsEncoder | null {
  const { acks, timeout, transactionalId = null, compression = COMPRESSION_NONE, topicData } = args;
  if (transactionalId !== null || compression !== COMPRESSION_NONE || !Array.isArray(topicData)) return null;
  const producerId = args.producerId ?? Long.fromInt(-1);
  const producerEpoch = args.producerEpoch ?? 0;
  const measured = measureTopics(topicData);
  if (measured === null) return null;

  const buf = Buffer.allocUnsafe(measured.size);
  let offset = buf.writeInt16BE(-1, 0); // transactional id: null
  offset = buf.writeInt16BE(acks, offset);
  offset = buf.writeInt32BE(timeout, offset);
  offset = buf.writeInt32BE(measured.topics.length, offset);
  for (const { topic, topicLength, partitions } of measured.topics) {
    offset = buf.writeInt16BE(topicLength, offset);
    offset += buf.write(topic, offset, topicLength, 'utf8');
    offset = buf.writeInt32BE(partitions.length, offset);
    for (const { partition, firstSequence, records, recordBytes } of partitions) {
      const batchLength = BATCH_PREFIX_BYTES + BATCH_BODY_HEADER_BYTES + recordBytes;
      offset = buf.writeInt32BE(partition, offset);
      offset = buf.writeInt32BE(8 + 4 + batchLength, offset); // the record set's size
      offset = writeInt64(buf, offset, 0); // first offset
      offset = buf.writeInt32BE(batchLength, offset);
      offset = buf.writeInt32BE(0, offset); // partition leader epoch
      offset = buf.writeInt8(MAGIC_BYTE, offset);
      const crcOffset = offset;
      offset += 4;
      const bodyStart = offset;
      offset = buf.writeInt16BE(0, offset); // attributes: no compression, not transactional
      offset = buf.writeInt32BE(records.length - 1, offset); // last offset delta
      offset = writeInt64(buf, offset, nowMs); // first timestamp
      offset = writeInt64(buf, offset, nowMs); // max timestamp
      offset = writeInt64(buf, offset, producerId);
      offset = buf.writeInt16BE(producerEpoch, offset);
      offset = buf.writeInt32BE(firstSequence, offset);
      offset = buf.writeInt32BE(records.length, offset);
      for (const record of records) offset = writeRecord(buf, offset, record);
      buf.writeUInt32BE(crc32c(buf, bodyStart, offset), crcOffset);
    }
  }
  if (offset !== buf.length) {
    throw new Error(`produce request encoder wrote ${offset} bytes of a body measured at ${buf.length}`);
  }
  return kafkajsEncoderOver(buf);
}

let kafkajsProduceRequest: ProduceRequestFactory | null = null;

/** kafkajs's produce request (v3), as loaded before the replacement; null until it is applied. */
export const originalProduceRequest = (): ProduceRequestFactory | null => kafkajsProduceRequest;

/** kafkajs's request with its body encoded here when this encoder handles it. */
const singleBufferProduceRequest: ProduceRequestFactory = (args) => {
  const original = kafkajsProduceRequest;
  if (original === null) throw new Error('produce-request-encoder: used before it was applied');
  const request = original(args);
  return {
    ...request,
    encode: async () => encodeProduceRequestBody(args, Date.now()) ?? request.encode(),
  };
};

/**
 * Idempotent; must run before the process's first produce request. Throws when kafkajs has already
 * loaded a produce request module (v4–v7) that keeps the original.
 */
export function applySingleBufferProduceRequest(): void {
  const original = replaceKafkajsModule<ProduceRequestFactory>({
    path: produceV3Path,
    replacement: singleBufferProduceRequest,
    dependents: laterProducePaths,
    tooLate:
      'kafkajs produced before lib/kafka/kafkajs-patches/produce-request-encoder.ts was applied: apply it where the Kafka client is created',
  });
  if (original !== null) kafkajsProduceRequest = original;
}
