import type { Consumer, ConsumerRunConfig, Kafka } from 'kafkajs';
import type { Logger } from '../logger.ts';

/** Settings of the kafkajs consumer and of its group membership. */
export interface GroupSettings {
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
}

export interface GroupMemberOptions extends GroupSettings {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  log: Logger;
  /** What every kafkajs consumer runs, the first one and each replacement. */
  runConfig: ConsumerRunConfig;
  /** Called when a fresh kafkajs consumer replaces the current one. */
  onReplaced: () => void;
}

/** This service's member of its consumer group. */
export interface GroupMember {
  /** True while the consumer is a live member of its group and has fetched. */
  readonly ready: boolean;
  /** Connects, subscribes and runs the consumer; starts the out-of-group watchdog. */
  start(): Promise<void>;
  /** Stops the watchdog and any pending replacement; not ready any more. Still connected. */
  halt(): void;
  /** Disconnects the current consumer (leaves the group). */
  disconnect(): Promise<void>;
}

/**
 * Runs the kafkajs consumer and keeps it in its group. A fresh kafkajs consumer replaces the current
 * one after a crash kafkajs does not restart from (right away, then backing off to 30 s while it
 * keeps failing), and by the watchdog: kafkajs can also give up rejoining a group after a broker
 * restart ("coordinator is loading") without crashing, leaving a consumer that fetches nothing
 * forever. Out of the group for longer than the limit → replaced.
 */
export function createGroupMember(options: GroupMemberOptions): GroupMember {
  const { kafka, groupId, log, runConfig } = options;
  // Ready once the group is joined AND a fetch completed (the starting offsets are resolved).
  let joined = false;
  let ready = false;

  let notMemberSince: number | null = Date.now();
  const setMembership = (member: boolean) => {
    joined = member;
    if (!member) ready = false;
    notMemberSince = member ? null : (notMemberSince ?? Date.now());
  };

  let stopped = false;
  let restarting = false;
  let recreateAttempts = 0;
  let recreateTimer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;

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

  const connectAndRun = async () => {
    await consumer.connect();
    // From the beginning when the group has no committed offset: a partition whose first owner died
    // before committing must not skip the messages already on it (the inbox drops what was handled).
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
    await consumer.run(runConfig);
  };

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
      options.onReplaced();
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
    },
    halt() {
      stopped = true;
      if (watchdog) clearInterval(watchdog);
      if (recreateTimer) clearTimeout(recreateTimer);
      ready = false;
    },
    async disconnect() {
      await consumer.disconnect();
    },
  };
}
