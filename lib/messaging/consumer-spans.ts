import { type SpanHandle, SpanKind, type Tracing } from '../tracing/tracing-api.ts';
import type { DeadLetter } from './dead-letter.ts';
import type { IncomingMessage } from './incoming-message.ts';

/**
 * One CONSUMER span per message of a partition batch, child of the message's traceparent (or of its
 * order's root span), from decoding to the commit of its transaction. Each message's
 * `meta.traceparent` becomes its span's, so what the handler sends continues the trace from there.
 * Null when tracing is off: nothing is allocated.
 */
export function startConsumerSpans(
  tracing: Tracing,
  groupId: string,
  messages: readonly IncomingMessage[],
): ConsumerSpans | null {
  if (!tracing.enabled || messages.length === 0) return null;
  const spans = new Map<string, SpanHandle>();
  for (const message of messages) {
    const { meta } = message;
    const span = tracing.startChildSpan(
      `${meta.recordType} process`,
      meta.traceparent,
      meta.orderId,
      SpanKind.CONSUMER,
      {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': message.topic,
        'messaging.destination.partition.id': String(message.partition),
        'messaging.consumer.group.name': groupId,
        'messaging.kafka.offset': Number(message.offset),
        'messaging.message.id': meta.messageId,
        'order.id': meta.orderId,
      },
    );
    if (span === null) continue;
    meta.traceparent = span.traceparent;
    spans.set(message.offset, span);
  }
  return new ConsumerSpans(spans);
}

export class ConsumerSpans {
  readonly #byOffset: Map<string, SpanHandle>;
  constructor(byOffset: Map<string, SpanHandle>) {
    this.#byOffset = byOffset;
  }

  /** Ends every span: the dead-lettered messages' with an error saying why. */
  end(letters: readonly DeadLetter[]): void {
    for (const letter of letters) {
      const span = this.#byOffset.get(letter.message.offset);
      if (span === undefined) continue;
      this.#byOffset.delete(letter.message.offset);
      span.end(new Error(`dead-lettered (${letter.reason}): ${String(letter.error)}`));
    }
    for (const span of this.#byOffset.values()) span.end();
    this.#byOffset.clear();
  }

  /** Ends every span with `error` (the batch was abandoned or failed). */
  fail(error: unknown): void {
    for (const span of this.#byOffset.values()) span.end(error);
    this.#byOffset.clear();
  }
}
