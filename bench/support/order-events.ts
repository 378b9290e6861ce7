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
  readonly #topic: string;
  readonly #waiters = new Map<string, Waiter>();
  /** Terminal events that arrived before anyone waited for them (bounded: old ones are dropped). */
  readonly #early = new Map<string, TerminalEvent>();
  readonly #abandoned = new Set<string>();
  readonly #lifecycles = new Map<string, OrderRecordTime[]>();
  readonly countsByType = new Map<string, number>();
  /** Terminal events that could not be decoded (their sagas end up unfinished): the first few. */
  readonly decodeFailures: string[] = [];
  /** performance.now() of the last terminal event of an abandoned order. */
  lastAbandonedArrivalAt = 0;

  constructor({
    kafka,
    codec,
    topic,
    groupId,
  }: { kafka: Kafka; codec: AvroCodec; topic: string; groupId: string }) {
    this.#codec = codec;
    this.#topic = topic;
    this.#consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  }

  async start(): Promise<void> {
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: [this.#topic], fromBeginning: true });
    const joined = new Promise<void>((resolve) =>
      this.#consumer.on(this.#consumer.events.GROUP_JOIN, () => resolve()),
    );
    await this.#consumer.run({
      // A new group in every run, reading from the beginning: it never needs a committed offset, and
      // kafkajs's commit after every batch was a third of the broker's requests at 20 sagas/s.
      autoCommit: false,
      partitionsConsumedConcurrently: 16,
      eachBatch: async ({ batch }) => {
        const seenAt = performance.now();
        for (const message of batch.messages) {
          const type = headerString(message.headers, HeaderNames.recordType) ?? '?';
          this.countsByType.set(type, (this.countsByType.get(type) ?? 0) + 1);
          const atEpochMs = Number(message.timestamp);
          if (type === 'OrderPlaced' || type === 'OrderStatusChanged') {
            const orderId = message.key?.toString() ?? '';
            const seen = this.#lifecycles.get(orderId);
            if (seen) seen.push({ type, atEpochMs });
            else this.#lifecycles.set(orderId, [{ type, atEpochMs }]);
          } else if (isTerminal(type) && message.value) {
            try {
              const { payload } = await this.#codec.decode(message.value);
              const { orderId, reason } = payload as { orderId: string; reason?: string };
              const lifecycle = this.#lifecycles.get(orderId) ?? [];
              this.#lifecycles.delete(orderId);
              this.#deliver(orderId, {
                type,
                reason: reason ?? null,
                seenAt,
                producedAtEpochMs: atEpochMs,
                lifecycle,
              });
            } catch (error) {
              if (this.decodeFailures.length < 10) this.decodeFailures.push((error as Error).message);
            }
          }
        }
      },
    });
    await joined;
  }

  #deliver(orderId: string, event: TerminalEvent): void {
    if (this.#abandoned.delete(orderId)) {
      this.lastAbandonedArrivalAt = event.seenAt;
      return;
    }
    const waiter = this.#waiters.get(orderId);
    this.#waiters.delete(orderId);
    if (waiter) {
      waiter(event);
      return;
    }
    this.#early.set(orderId, event);
    if (this.#early.size > 100_000) this.#early.delete(this.#early.keys().next().value as string);
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
