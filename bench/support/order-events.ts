/**
 * Watches `order-events` like a downstream consumer would (kafkajs, the project's Avro codec) and
 * hands each order's terminal lifecycle event — OrderCompleted, OrderCancelled or OrderFailed — to
 * whoever waits for that order id. Other events are only counted, from their record-type header;
 * the record timestamps of OrderPlaced and OrderStatusChanged are kept by order id (the message
 * key) and handed over with the terminal event (support/saga-stages.ts).
 */
import type { Consumer, Kafka } from 'kafkajs';
import type { AvroCodec } from '../../lib/avro/codec.ts';
import { HeaderNames, headerString } from '../../lib/messaging/headers.ts';
import type { OrderRecordTime } from './saga-stages.ts';

const terminalTypes = ['OrderCompleted', 'OrderCancelled', 'OrderFailed'] as const;
type TerminalType = (typeof terminalTypes)[number];
const isTerminal = (type: string | undefined): type is TerminalType =>
  (terminalTypes as readonly string[]).includes(type ?? '');

export interface TerminalEvent {
  type: TerminalType;
  /** OrderCancelled's reason. */
  reason: string | null;
  /** performance.now() when the bench received it. */
  seenAt: number;
  /** Epoch ms the relay produced it (the record's CreateTime). */
  producedAtEpochMs: number;
  /** The order's OrderPlaced and OrderStatusChanged seen before, with their record timestamps. */
  lifecycle: OrderRecordTime[];
}

type Waiter = (event: TerminalEvent) => void;

export class OrderEventsTracker {
  readonly #consumer: Consumer;
  readonly #codec: AvroCodec;
  readonly #waiters = new Map<string, Waiter>();
  /** Terminal events that arrived before anyone waited for them (bounded: old ones are dropped). */
  readonly #early = new Map<string, TerminalEvent>();
  readonly #abandoned = new Set<string>();
  readonly #lifecycles = new Map<string, OrderRecordTime[]>();
  /** Terminal events that could not be decoded (their sagas end up unfinished): the first few. */
  readonly decodeFailures: string[] = [];
  /** performance.now() of the last terminal event of an abandoned order. */
  lastAbandonedArrivalAt = 0;

  constructor(kafka: Kafka, groupId: string, codec: AvroCodec) {
    this.#codec = codec;
    this.#consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  }

  async start(topic: string): Promise<void> {
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: [topic], fromBeginning: true });
    const joined = new Promise((resolve) => this.#consumer.on(this.#consumer.events.GROUP_JOIN, resolve));
    await this.#consumer.run({
      // A new group in every run, reading from the beginning: it never needs a committed offset, and
      // kafkajs's commit after every batch was a third of the broker's requests at 20 sagas/s.
      autoCommit: false,
      partitionsConsumedConcurrently: 16,
      eachBatch: async ({ batch }) => {
        const seenAt = performance.now();
        for (const { headers, key, value, timestamp } of batch.messages) {
          const type = headerString(headers, HeaderNames.recordType) ?? '?';
          const record = { type, atEpochMs: Number(timestamp) };
          if (type === 'OrderPlaced' || type === 'OrderStatusChanged') {
            const orderId = key?.toString() ?? '';
            this.#lifecycles.set(orderId, [...(this.#lifecycles.get(orderId) ?? []), record]);
          } else if (isTerminal(type) && value)
            await this.#codec.decode(value).then(
              ({ payload }) =>
                this.#deliver(payload as { orderId: string; reason?: string }, type, seenAt, record),
              (error: Error) => this.decodeFailures.length < 10 && this.decodeFailures.push(error.message),
            );
        }
      },
    });
    await joined;
  }

  #deliver(
    { orderId, reason }: { orderId: string; reason?: string },
    type: TerminalType,
    seenAt: number,
    record: OrderRecordTime,
  ): void {
    const lifecycle = this.#lifecycles.get(orderId) ?? [];
    this.#lifecycles.delete(orderId);
    const event = { type, reason: reason ?? null, seenAt, producedAtEpochMs: record.atEpochMs, lifecycle };
    const waiter = this.#waiters.get(orderId);
    this.#waiters.delete(orderId);
    if (this.#abandoned.delete(orderId)) this.lastAbandonedArrivalAt = seenAt;
    else if (waiter) waiter(event);
    else if (this.#early.set(orderId, event).size > 100_000)
      this.#early.delete(this.#early.keys().next().value as string);
  }

  /** Calls `waiter` once with the order's terminal event (at once if it already arrived). */
  expect(orderId: string, waiter: Waiter): void {
    const early = this.#early.get(orderId);
    this.#early.delete(orderId);
    if (early) waiter(early);
    else this.#waiters.set(orderId, waiter);
  }

  /** Stops waiting for an order (unfinished in time); its late terminal event only lowers `abandoned`. */
  forget(orderId: string): void {
    this.#waiters.delete(orderId);
    this.#lifecycles.delete(orderId);
    if (!this.#early.delete(orderId)) this.#abandoned.add(orderId);
  }

  /** Orders given up on whose terminal event has not arrived yet. */
  get abandoned(): number {
    return this.#abandoned.size;
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}
