import { Kafka, logLevel as KafkaLogLevel, type logCreator, type Producer } from 'kafkajs';
import type { Logger } from '../logger.ts';
import { completeSendBatch, type PartitionsGiven, recordingPartitioner } from './complete-send-batch.ts';
import { type KafkaConnection, kafkajsSecurityOptions } from './kafka-security.ts';
import { applyKafkajsPatches } from './kafkajs-patches/index.ts';
import { KeyPartitioner } from './key-partitioner.ts';

applyKafkajsPatches();

const pinoLevelOf = (level: KafkaLogLevel): 'error' | 'warn' | 'info' | 'debug' => {
  switch (level) {
    case KafkaLogLevel.ERROR:
    case KafkaLogLevel.NOTHING:
      return 'error';
    case KafkaLogLevel.WARN:
      return 'warn';
    case KafkaLogLevel.INFO:
      return 'info';
    case KafkaLogLevel.DEBUG:
      return 'debug';
    default:
      return 'info';
  }
};

/** kafkajs log lines go through the service's pino logger. */
const pinoLogCreator =
  (logger: Logger): logCreator =>
  () =>
  ({ level, log }) => {
    const { message, ...extra } = log;
    logger[pinoLevelOf(level)]({ kafka: extra }, `kafka: ${message}`);
  };

export function createKafka({
  brokers,
  security,
  clientId,
  logger,
}: KafkaConnection & {
  clientId: string;
  logger: Logger;
}): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    ...kafkajsSecurityOptions(security),
    logLevel: KafkaLogLevel.WARN,
    logCreator: pinoLogCreator(logger.child({ component: 'kafkajs' })),
    retry: { initialRetryTime: 200, retries: 8 },
  });
}

/**
 * Idempotent producer (acks=all, one in-flight request so retries cannot reorder a partition; keyed
 * messages partitioned like kafkajs and the Java client, with a faster murmur2: key-partitioner.ts).
 * Retries are unbounded, as idempotence requires: while the broker is away a send waits for it
 * (the outbox rows stay until it is back).
 */
export function createIdempotentProducer(kafka: Kafka, logger?: Logger): Producer {
  const given: PartitionsGiven = new WeakMap();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5_000 },
    createPartitioner: recordingPartitioner(KeyPartitioner, given),
  });
  // kafkajs can resolve a send without sending some of it (complete-send-batch.ts).
  const onResend = (partitions: readonly string[]) =>
    logger?.warn(
      { partitions },
      'kafka: a send left partitions unacknowledged; their messages are sent again',
    );
  const sendBatch = completeSendBatch(producer.sendBatch, given, onResend);
  return {
    ...producer,
    sendBatch,
    send: ({ topic, messages, ...options }) =>
      sendBatch({ ...options, topicMessages: [{ topic, messages }] }),
  };
}
