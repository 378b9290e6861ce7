import type { Producer } from 'kafkajs';
import type { OutboxPublishMode } from '../config/common-config.ts';
import type { Clock } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { AfterCommitPublisher } from './after-commit-publisher.ts';
import { Outbox, type RecordEncoder } from './outbox.ts';
import { type OutboxRelay, startOutboxRelay } from './outbox-relay.ts';
import { createPublishedRowDeleter } from './published-row-deleter.ts';
import { sendOutboxMessages } from './send-outbox-messages.ts';

export interface OutboxPublishingOptions {
  mode: OutboxPublishMode;
  databaseUrl: string;
  schema: string;
  encoder: RecordEncoder;
  clock: Clock;
  producer: Producer;
  logger: Logger;
  relayLingerMs?: number;
  relayGraceMs?: number;
  relayPollIntervalMs?: number;
}

export interface OutboxPublishing {
  /** The outbox handlers append to (inside their transactions). */
  readonly outbox: Outbox;
  readonly relay: OutboxRelay;
  /** Null in `relay` mode. */
  readonly publisher: AfterCommitPublisher | null;
  readonly healthy: boolean;
  /** Publishes what is waiting in memory, deletes what was published, stops the relay. */
  stop(): Promise<void>;
}

/**
 * A service's outbox and everything that publishes it: in `after-commit` mode the publisher sends
 * each committed transaction's rows from memory and a deleter removes them; the relay covers what a
 * crash left in the table. In `relay` mode the relay, woken by NOTIFY, publishes every row.
 */
export function startOutboxPublishing(options: OutboxPublishingOptions): OutboxPublishing {
  const { schema, producer, logger } = options;
  const relayOptions = {
    databaseUrl: options.databaseUrl,
    schema,
    producer,
    logger,
    ...(options.relayLingerMs !== undefined ? { lingerMs: options.relayLingerMs } : {}),
    ...(options.relayPollIntervalMs !== undefined ? { pollIntervalMs: options.relayPollIntervalMs } : {}),
  };

  if (options.mode === 'relay') {
    const relay = startOutboxRelay(relayOptions);
    return {
      outbox: new Outbox(schema, options.encoder, options.clock),
      relay,
      publisher: null,
      get healthy() {
        return relay.healthy;
      },
      stop: () => relay.stop(),
    };
  }

  const deleter = createPublishedRowDeleter({
    databaseUrl: options.databaseUrl,
    table: `${schema}.outbox`,
    logger,
  });
  let relay: OutboxRelay | null = null;
  const publisher = new AfterCommitPublisher({
    send: (messages) => sendOutboxMessages(producer, messages),
    published: (seqs) => deleter.add(seqs),
    kickRelay: () => relay?.kick(),
    logger,
    ...(options.relayGraceMs !== undefined ? { relayGraceMs: options.relayGraceMs } : {}),
  });
  relay = startOutboxRelay({ ...relayOptions, coordination: publisher });
  const started = relay;
  return {
    outbox: new Outbox(schema, options.encoder, options.clock, publisher),
    relay: started,
    publisher,
    get healthy() {
      return started.healthy;
    },
    async stop() {
      await publisher.stop();
      await deleter.stop();
      await started.stop();
    },
  };
}
