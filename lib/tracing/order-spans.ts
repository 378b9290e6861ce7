import { type SpanHandle, SpanKind, type Tracing } from './tracing-api.ts';

/**
 * INTERNAL spans of work a process starts on orders by itself (a step deadline passing, an operator
 * retry): each a child of its order's root span. Empty when tracing is off.
 */
export class OrderSpans {
  readonly #spans: SpanHandle[] = [];
  readonly #tracing: Tracing;
  constructor(tracing: Tracing) {
    this.#tracing = tracing;
  }

  /** The traceparent of the order's new span; undefined when tracing is off. */
  start(name: string, orderId: string): string | undefined {
    const span = this.#tracing.startChildSpan(name, null, orderId, SpanKind.INTERNAL, {
      'order.id': orderId,
    });
    if (span === null) return undefined;
    this.#spans.push(span);
    return span.traceparent;
  }

  /** Ends every span (with `error` when the work failed). */
  end(error?: unknown): void {
    for (const span of this.#spans.splice(0)) span.end(error);
  }

  /** Runs `work`, then ends the spans it started, with its error if it throws. */
  async around<T>(work: (spans: OrderSpans) => Promise<T>): Promise<T> {
    try {
      const result = await work(this);
      this.end();
      return result;
    } catch (error) {
      this.end(error);
      throw error;
    }
  }
}
