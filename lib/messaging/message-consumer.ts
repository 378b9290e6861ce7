import type { Batch, Consumer, ConsumerRunConfig, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { TypedRecord } from '../contracts/generated.ts';
import { GroupCommit } from '../db/group-commit.ts';
import type { UnitOfWork, UnitOfWorkRunner } from '../db/unit-of-work.ts';
import { AlreadyProcessedError, claimNewMessages, recordAllAsNew } from '../inbox/inbox.ts';
import type { Logger } from '../logger.ts';
import { type DeadLetter, publishDeadLetters } from './dead-letter.ts';
import { type MessageMeta, readMeta } from './headers.ts';
import { isTransientError } from './transient-errors.ts';

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

export interface RecordDecoder {
  decode(buffer: Buffer): Promise<TypedRecord>;
}

export interface MessageConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  decoder: RecordDecoder;
  /** Runs each transaction of inbox ids, handler effects and outbox rows. */
  units: UnitOfWorkRunner;
  /** Postgres schema whose `inbox` table records processed message ids. */
  inboxSchema: string;
  handle: BatchHandler;
  /** Producer used for dead letters. */
  producer: Producer;
  logger: Logger;
  /** Attempts of a failing message, alone in its transaction, before it is dead-lettered. */
  maxHandlerAttempts?: number;
  /**
   * Partition batches handled at once (16). The batches of one fetch that are in flight together
   * share one database transaction, so this bounds how many partitions one transaction covers.
   */
  partitionsConsumedConcurrently?: number;
  /**
   * Offsets are committed at most this often (500 ms), and once more on stop. A message handled but
   * not yet committed when an instance dies is delivered again and dropped by the inbox.
   */
  offsetCommitIntervalMs?: number;
  /** The broker answers a fetch once it has this many bytes (1) or after `fetchMaxWaitMs` (250). */
  fetchMinBytes?: number;
  fetchMaxWaitMs?: number;
  /** Kafka session timeout: how long the group waits for a dead member before rebalancing (10 s). */
  sessionTimeoutMs?: number;
  /** A consumer out of its group for longer than this is recreated (60 s). */
  rejoinWatchdogMs?: number;
  /**
   * One line saying which credential or ACL is wrong when Kafka refused the consumer (null for any
   * other error); logged instead of the generic crash message (lib/kafka/kafka-access-errors.ts).
   */
  describeAccessError?: (error: unknown) => string | null;
  /** Fault injection: messages for which this returns true are dropped as if never received. */
  drop?: (message: IncomingMessage) => boolean;
  /** Fault injection: awaited before a batch is handled (a slow participant). */
  beforeHandle?: (messages: readonly IncomingMessage[]) => Promise<void>;
}

export interface MessageConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True while the consumer is a live member of its group. */
  readonly ready: boolean;
}

/**
 * One transaction: records the messages' ids in the inbox and hands the ones seen for the first time
 * (first occurrence only, in order) to the handler. Concurrent callers with the same message (two
 * instances after a rebalance, a redelivery) serialise on the inbox primary key: one applies it, the
 * other finds it recorded and skips it.
 *
 * Fast path (every message new, the normal case): the inbox rows go into the transaction's single
 * write statement, expected to insert every id. If one was already there, that transaction rolls
 * back whole and the batch runs again on the careful path: claim first, handle only the new ones.
 */
export async function handleOnce(
  units: UnitOfWorkRunner,
  inboxSchema: string,
  handle: BatchHandler,
  messages: readonly IncomingMessage[],
): Promise<void> {
  const firstById = new Map<string, IncomingMessage>();
  for (const m of messages) if (!firstById.has(m.meta.messageId)) firstById.set(m.meta.messageId, m);
  const unique = [...firstById.values()];
  const entries = unique.map((m) => ({
    messageId: m.meta.messageId,
    topic: m.topic,
    recordType: m.record.type,
  }));
  try {
    await units.run(async (unit) => {
      recordAllAsNew(unit, inboxSchema, entries);
      await handle(unit, unique);
    });
  } catch (error) {
    if (!(error instanceof AlreadyProcessedError)) throw error;
    await units.run(async (unit) => {
      const fresh = await claimNewMessages(unit, inboxSchema, entries);
      const toHandle = unique.filter((m) => fresh.has(m.meta.messageId));
      if (toHandle.length > 0) await handle(unit, toHandle);
    });
  }
}

/** Raised inside a batch when the consumer stops or the batch went stale mid-retry. */
class BatchAbandoned extends Error {
  constructor() {
    super('batch abandoned: consumer stopping or partition revoked');
    this.name = 'BatchAbandoned';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Transactions a consumer commits at once. With one broker, kafkajs fetches again only once the
 * batches of a fetch are handled, so a second one runs only when batches of one fetch reach the
 * group commit on different turns of the event loop.
 */
export const fetchTransactionsInFlight = 2;

/**
 * The one way every service consumes Kafka: the partition batches of a fetch share one database
 * transaction (inbox claim + handler effects + outbox rows); offsets are resolved only after it
 * commits and sent to the broker on a short timer, not per batch. Undecodable messages
 * and messages whose handler keeps failing go to `<topic>-dlt` with the reason, and the consumer
 * moves on; infrastructure outages are waited out (never dead-lettered).
 */
export function createMessageConsumer(options: MessageConsumerOptions): MessageConsumer {
  const { kafka, groupId, units, inboxSchema, handle, producer, decoder } = options;
  const maxHandlerAttempts = options.maxHandlerAttempts ?? 3;
  const log = options.logger.child({ component: 'consumer', groupId });
  // Ready once the group is joined AND a fetch completed (the starting offsets are resolved).
  let joined = false;
  let ready = false;

  let notMemberSince: number | null = Date.now();
  const setMembership = (member: boolean) => {
    joined = member;
    if (!member) ready = false;
    notMemberSince = member ? null : (notMemberSince ?? Date.now());
  };

  const buildConsumer = (): Consumer => {
    const built = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      minBytes: options.fetchMinBytes ?? 1,
      maxWaitTimeInMs: options.fetchMaxWaitMs ?? 250,
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: Math.max(500, Math.floor((options.sessionTimeoutMs ?? 10_000) / 10)),
      retry: {
        retries: 10,
        restartOnFailure: async (error) => {
          log.error({ err: error }, options.describeAccessError?.(error) ?? 'consumer crashed; restarting');
          return true;
        },
      },
    });
    // Events of a consumer that was replaced (see recreate) say nothing about the current one.
    const current = () => built === consumer;
    built.on(built.events.GROUP_JOIN, ({ payload }) => {
      if (!current()) return;
      setMembership(true);
      recreateAttempts = 0;
      log.info({ memberAssignment: payload.memberAssignment }, 'joined consumer group');
    });
    built.on(built.events.FETCH, () => {
      if (current() && joined) ready = true;
    });
    built.on(built.events.CRASH, ({ payload }) => {
      if (!current()) return;
      setMembership(false);
      log.error(
        { err: payload.error, restart: payload.restart },
        options.describeAccessError?.(payload.error) ?? 'consumer crash',
      );
      // kafkajs restarts only after retriable errors. A non-retriable one (e.g. "Failed to find group
      // coordinator" while a broker restarts) leaves a consumer that never fetches again: replace it.
      if (!payload.restart) scheduleRecreate('kafkajs stopped the consumer after a non-retriable error');
    });
    for (const event of [built.events.REBALANCING, built.events.DISCONNECT, built.events.STOP]) {
      built.on(event, () => current() && setMembership(false));
    }
    return built;
  };
  let consumer = buildConsumer();

  const applyInTransaction = (messages: readonly IncomingMessage[]) =>
    handleOnce(units, inboxSchema, handle, messages);

  /**
   * Partition batches submitted together (one fetch) are applied in one transaction. If that shared
   * transaction fails, each batch is retried in a transaction of its own, so one bad batch does not
   * hold back the others (and then goes message by message to find the poison).
   */
  const fetchTransactions = new GroupCommit<readonly IncomingMessage[], void>({
    commit: async (batches) => {
      await applyInTransaction(batches.flat());
      return batches.map(() => undefined);
    },
    maxBatch: 64,
    maxConcurrent: fetchTransactionsInFlight,
    gatherSameTick: true,
  });

  const offsetCommitIntervalMs = options.offsetCommitIntervalMs ?? 500;
  /** Commits every resolved, not yet committed offset of the running kafkajs consumer group. */
  let flushOffsets: (() => Promise<void>) | null = null;
  const commitPendingOffsets = async (why: string) => {
    try {
      await flushOffsets?.();
    } catch (error) {
      // Not lost: the messages are delivered again after a rebalance and the inbox drops them.
      log.debug({ err: error }, `offset commit (${why}) failed; the next one covers it`);
    }
  };

  /** Each message alone, a few attempts each; the ones that still fail become dead letters. */
  const applyOneByOne = async (
    messages: readonly IncomingMessage[],
    raw: Map<string, KafkaMessage>,
    letters: DeadLetter[],
  ) => {
    for (const message of messages) {
      for (let attempt = 1; ; attempt++) {
        try {
          await applyInTransaction([message]);
          break;
        } catch (error) {
          if (isTransientError(error)) throw error;
          if (attempt >= maxHandlerAttempts) {
            log.error(
              {
                err: error,
                topic: message.topic,
                partition: message.partition,
                offset: message.offset,
                type: message.record.type,
              },
              'handler keeps failing; message goes to the dead-letter topic',
            );
            const original = raw.get(message.offset);
            if (original)
              letters.push({
                topic: message.topic,
                partition: message.partition,
                message: original,
                reason: 'handler_failed',
                error,
              });
            break;
          }
          await sleep(50 * 2 ** attempt);
        }
      }
    }
  };

  /** Retries `work` while the failure is transient and the batch is still ours. */
  const untilDone = async (
    work: () => Promise<void>,
    stillOurs: () => boolean,
    heartbeat: () => Promise<void>,
    what: string,
  ) => {
    for (let failures = 0; ; failures++) {
      try {
        await work();
        if (failures > 0) log.info(`${what}: recovered`);
        return;
      } catch (error) {
        if (!isTransientError(error)) throw error;
        if (!stillOurs()) throw new BatchAbandoned();
        const backoffMs = Math.min(5_000, 100 * 2 ** Math.min(failures, 6));
        log.warn({ err: error, backoffMs }, `${what}: infrastructure unavailable, retrying`);
        await sleep(backoffMs);
        await heartbeat().catch(() => undefined);
      }
    }
  };

  const decodeBatch = async (batch: Batch, letters: DeadLetter[]): Promise<IncomingMessage[]> => {
    const decoded: IncomingMessage[] = [];
    for (const message of batch.messages) {
      const letter = (reason: DeadLetter['reason'], error: unknown) =>
        letters.push({ topic: batch.topic, partition: batch.partition, message, reason, error });
      let meta: MessageMeta;
      try {
        meta = readMeta(message.headers);
      } catch (error) {
        letter('missing_header', error);
        continue;
      }
      if (!message.value) {
        letter('undecodable', new Error('message has no value'));
        continue;
      }
      try {
        const record = await decoder.decode(message.value);
        if (record.type !== meta.recordType) {
          letter(
            'undecodable',
            new Error(`record-type header says ${meta.recordType} but the payload is ${record.type}`),
          );
          continue;
        }
        decoded.push({
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          meta,
          record,
        });
      } catch (error) {
        if (isTransientError(error)) throw error;
        letter('undecodable', error);
      }
    }
    return decoded;
  };

  const runConfig: ConsumerRunConfig = {
    eachBatchAutoResolve: false,
    autoCommit: false,
    autoCommitInterval: offsetCommitIntervalMs,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 16,
    eachBatch: async ({
      batch,
      resolveOffset,
      heartbeat,
      commitOffsetsIfNecessary,
      uncommittedOffsets,
      isRunning,
      isStale,
    }) => {
      if (batch.messages.length === 0) return;
      flushOffsets = () => commitOffsetsIfNecessary(uncommittedOffsets());
      const stillOurs = () => isRunning() && !isStale();
      const letters: DeadLetter[] = [];
      try {
        let decoded: IncomingMessage[] = [];
        await untilDone(
          async () => {
            letters.length = 0;
            decoded = await decodeBatch(batch, letters);
          },
          stillOurs,
          heartbeat,
          'decoding',
        );
        const kept = options.drop ? decoded.filter((m) => !options.drop?.(m)) : decoded;
        if (kept.length > 0) {
          if (options.beforeHandle) {
            // A slow handler must not cost the group membership: keep heartbeating meanwhile.
            const keepAlive = setInterval(() => void heartbeat().catch(() => undefined), 3_000);
            try {
              await options.beforeHandle(kept);
            } finally {
              clearInterval(keepAlive);
            }
          }
          const raw = new Map(batch.messages.map((m) => [m.offset, m]));
          await untilDone(
            async () => {
              try {
                await fetchTransactions.submit(kept);
              } catch (error) {
                if (isTransientError(error)) throw error;
                log.warn(
                  { err: error, count: kept.length },
                  'batch failed; retrying its messages one by one',
                );
                await applyOneByOne(kept, raw, letters);
              }
            },
            stillOurs,
            heartbeat,
            'handling batch',
          );
        }
        await untilDone(
          () => publishDeadLetters(producer, groupId, letters, new Date()),
          stillOurs,
          heartbeat,
          'dead-lettering',
        );
      } catch (error) {
        if (error instanceof BatchAbandoned) {
          log.warn({ topic: batch.topic, partition: batch.partition }, error.message);
          return;
        }
        throw error;
      }
      const last = batch.messages[batch.messages.length - 1];
      if (last) resolveOffset(last.offset);
      // Commits only when the interval has passed since the last commit; the timer covers idle time.
      await commitOffsetsIfNecessary();
      await heartbeat();
    },
  };

  const connectAndRun = async () => {
    await consumer.connect();
    // From the beginning when the group has no committed offset: a partition whose first owner died
    // before committing must not skip the messages already on it (the inbox drops what was handled).
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
    await consumer.run(runConfig);
  };

  /**
   * A fresh kafkajs consumer replaces the current one after a crash kafkajs does not restart from
   * (right away, then backing off to 30 s while it keeps failing), and by the watchdog: kafkajs can
   * also give up rejoining a group after a broker restart ("coordinator is loading") without
   * crashing, leaving a consumer that fetches nothing forever. Out of the group for longer than the
   * limit → replaced.
   */
  let stopped = false;
  let restarting = false;
  let recreateAttempts = 0;
  let recreateTimer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  let offsetTimer: NodeJS.Timeout | undefined;

  const recreate = async (why: string) => {
    if (stopped) return;
    if (restarting) return scheduleRecreate(why);
    restarting = true;
    log.error(
      { outOfGroupMs: notMemberSince === null ? 0 : Date.now() - notMemberSince },
      `${why}; recreating it`,
    );
    try {
      const old = consumer;
      consumer = buildConsumer();
      flushOffsets = null;
      notMemberSince = Date.now();
      await old
        .disconnect()
        .catch((error: unknown) => log.warn({ err: error }, 'disconnect of the replaced consumer failed'));
      if (!stopped) await connectAndRun();
    } catch (error) {
      log.error({ err: error }, 'recreating the consumer failed; trying again');
      scheduleRecreate('the recreated consumer did not start');
    } finally {
      restarting = false;
    }
  };

  function scheduleRecreate(why: string): void {
    if (stopped || recreateTimer) return;
    const delayMs = Math.min(30_000, 500 * 2 ** recreateAttempts);
    recreateAttempts++;
    recreateTimer = setTimeout(() => {
      recreateTimer = undefined;
      // A member again meanwhile (the watchdog or an earlier replacement got there first): keep it.
      if (notMemberSince !== null) void recreate(why);
    }, delayMs);
    recreateTimer.unref();
  }

  const restartIfStuck = async () => {
    const limitMs = options.rejoinWatchdogMs ?? 60_000;
    if (stopped || restarting || notMemberSince === null || Date.now() - notMemberSince < limitMs) return;
    await recreate('consumer is not a group member');
  };

  return {
    get ready() {
      return ready;
    },
    async start() {
      await connectAndRun();
      watchdog = setInterval(() => void restartIfStuck(), 5_000);
      watchdog.unref();
      offsetTimer = setInterval(() => void commitPendingOffsets('timer'), offsetCommitIntervalMs);
      offsetTimer.unref();
    },
    async stop() {
      stopped = true;
      if (watchdog) clearInterval(watchdog);
      if (offsetTimer) clearInterval(offsetTimer);
      if (recreateTimer) clearTimeout(recreateTimer);
      ready = false;
      await commitPendingOffsets('stop');
      await consumer.disconnect();
    },
  };
}
