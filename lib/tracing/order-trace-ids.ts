import { RandomIdGenerator } from '@opentelemetry/sdk-trace-base';
import { orderRootSpanId, orderTraceId } from './traceparent.ts';

/**
 * The SDK's id generator, except for an order's root span: its trace id and span id come from the
 * order id (traceparent.ts), so every service can continue the order's trace without stored state.
 * The tracer asks for ids synchronously inside `startSpan`, so the ids set for one call are taken
 * by that call only.
 */
export class OrderTraceIds {
  readonly #random = new RandomIdGenerator();
  #traceId: string | null = null;
  #spanId: string | null = null;

  /** Runs `start` (one synchronous startSpan of a root span) with the order's root ids. */
  forOrderRoot<T>(orderId: string, start: () => T): T {
    this.#traceId = orderTraceId(orderId);
    this.#spanId = orderRootSpanId(orderId);
    try {
      return start();
    } finally {
      this.#traceId = null;
      this.#spanId = null;
    }
  }

  generateTraceId(): string {
    return this.#traceId ?? this.#random.generateTraceId();
  }

  generateSpanId(): string {
    const forced = this.#spanId;
    this.#spanId = null;
    return forced ?? this.#random.generateSpanId();
  }
}
