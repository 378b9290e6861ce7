/**
 * Watches `order-events` like a downstream consumer would (kafkajs, the project's Avro codec) and
 * reports each order's terminal lifecycle event — OrderCompleted, OrderCancelled or OrderFailed —
 * to whoever waits for that order id. Non-terminal events are counted from their record-type
 * header without being decoded; OrderPlaced's and OrderStatusChanged's record timestamps are kept
 * by order id (the message key) and handed over with the terminal event (support/saga-stages.ts).
 */
import type { Consumer, Kafka } from 'kafkajs';
import type { AvroCodec } from '../../lib/avro/codec.ts';
import { HeaderNames, headerString } from '../../lib/messaging/headers.ts';
import type { OrderRecordTime } from './saga-stages.ts';

export const terminalTypes = ['OrderCompleted', 'OrderCancelled', 'OrderFailed'] as const;
export type TerminalType = (typeof terminalTypes)[number];
const isTerminal = (type: string | undefined): type is TerminalType =>
  (terminalTypes as readonly string[]).includes(type ?? '');

export interface TerminalEvent {
  orderId: string;
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
  readonly countsByType = new Map<string, number>();
  decodeErrors = 0;
  /** performance.now() of the last terminal event of an abandoned order. */
  lastAbandonedArrivalAt = 0;
  readonly #abandoned = new Set<string>();
  /** Lifecycle times of orders whose terminal event has not arrived yet, by order id. */
  readonly #lifecycles = new Map<string, OrderRecordTime[]>();
  #lastError: unknown = null;

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

  get lastError(): unknown {
    return this.#lastError;
  }

  async start(): Promise<void> {
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: [this.#topic], fromBeginning: true });
    let joined!: () => void;
    const groupJoined = new Promise<void>((resolve) => {
      joined = resolve;
    });
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, () => joined());
    await this.#consumer.run({
      // The group is new in every run and reads from the beginning: it never needs a committed
      // offset. kafkajs's default commits after every batch — at 20 sagas/s that was a third of
      // all requests the broker served (747 OffsetCommit in 10 s), load the system under test
      // paid for the observer.
      autoCommit: false,
      partitionsConsumedConcurrently: 16,
      eachBatch: async ({ batch }) => {
        const seenAt = performance.now();
        for (const message of batch.messages) {
          const type = headerString(message.headers, HeaderNames.recordType);
          this.countsByType.set(type ?? '?', (this.countsByType.get(type ?? '?') ?? 0) + 1);
          if (type === 'OrderPlaced' || type === 'OrderStatusChanged') {
            if (message.key) this.#noteLifecycle(message.key.toString(), type, Number(message.timestamp));
            continue;
          }
          if (!isTerminal(type) || !message.value) continue;
          try {
            const record = await this.#codec.decode(message.value);
            if (!isTerminal(record.type)) continue;
            const payload = record.payload as { orderId: string; reason?: string };
            const lifecycle = this.#lifecycles.get(payload.orderId) ?? [];
            this.#lifecycles.delete(payload.orderId);
            this.#deliver({
              orderId: payload.orderId,
              type: record.type,
              reason: payload.reason ?? null,
              seenAt,
              producedAtEpochMs: Number(message.timestamp),
              lifecycle,
            });
          } catch (error) {
            this.decodeErrors += 1;
            this.#lastError = error;
          }
        }
      },
    });
    await groupJoined;
  }

  #noteLifecycle(orderId: string, type: string, atEpochMs: number): void {
    const records = this.#lifecycles.get(orderId);
    if (records === undefined) this.#lifecycles.set(orderId, [{ type, atEpochMs }]);
    else records.push({ type, atEpochMs });
  }

  #deliver(event: TerminalEvent): void {
    if (this.#abandoned.delete(event.orderId)) {
      this.lastAbandonedArrivalAt = event.seenAt;
      return;
    }
    const waiter = this.#waiters.get(event.orderId);
    if (waiter) {
      this.#waiters.delete(event.orderId);
      waiter(event);
      return;
    }
    this.#early.set(event.orderId, event);
    if (this.#early.size > 100_000) {
      const oldest = this.#early.keys().next().value;
      if (oldest !== undefined) this.#early.delete(oldest);
    }
  }

  /** Calls `waiter` once with the order's terminal event (at once if it already arrived). */
  expect(orderId: string, waiter: Waiter): void {
    const early = this.#early.get(orderId);
    if (early) {
      this.#early.delete(orderId);
      waiter(early);
      return;
    }
    this.#waiters.set(orderId, waiter);
  }

  /**
   * Stops waiting for an order (its saga did not finish in time). Its terminal event, if it still
   * comes, only counts towards `abandoned` reaching zero (see run-bench.ts settle()).
   */
  forget(orderId: string): void {
    this.#waiters.delete(orderId);
    this.#lifecycles.delete(orderId);
    if (this.#early.delete(orderId)) return;
    this.#abandoned.add(orderId);
  }

  /** Orders given up on whose terminal event has not arrived yet. */
  get abandoned(): number {
    return this.#abandoned.size;
  }

  get pending(): number {
    return this.#waiters.size;
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}
