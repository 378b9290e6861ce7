import type { Metric, Registry } from 'prom-client';

type Labels = Readonly<Record<string, string | number>>;

/** One label combination of a FastCounter: an increment is one addition. */
export class CounterChild {
  readonly labels: Labels;
  value = 0;
  constructor(labels: Labels) {
    this.labels = labels;
  }

  inc(amount = 1): void {
    if (!(amount >= 0) || !Number.isFinite(amount))
      throw new TypeError(`a counter only goes up by a finite amount, not ${amount}`);
    this.value += amount;
  }
}

export interface FastCounterOptions {
  name: string;
  help: string;
  labelNames: readonly string[];
  registers: readonly Registry[];
}

/**
 * A labelled Prometheus counter for the hot path (a command handled, a payment, a saga finished):
 * prom-client's text and JSON, byte for byte (fast-metrics.unit.spec.ts), without its label hashing
 * and validation at every increment. Registered like FastHistogram; children made by `labels()`
 * and kept by the caller (label-children.ts). Counters updated once per batch or at scrape time
 * stay prom-client's.
 */
export class FastCounter {
  readonly name: string;
  readonly help: string;
  readonly type = 'counter';
  readonly aggregator = 'sum';
  readonly #labelNames: readonly string[];
  readonly #children = new Map<string, CounterChild>();

  constructor(options: FastCounterOptions) {
    if (options.labelNames.length === 0)
      throw new Error(`counter ${options.name}: use prom-client's Counter without labels`);
    this.name = options.name;
    this.help = options.help;
    this.#labelNames = options.labelNames;
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The child of a label combination (every label name given, no other); the same one each time. */
  labels(labels: Labels): CounterChild {
    const names = Object.keys(labels);
    if (names.length !== this.#labelNames.length || names.some((n) => !this.#labelNames.includes(n)))
      throw new Error(
        `counter ${this.name}: labels ${names.join(',')} are not ${this.#labelNames.join(',')}`,
      );
    const key = JSON.stringify(this.#labelNames.map((n) => labels[n]));
    let child = this.#children.get(key);
    if (child === undefined) {
      child = new CounterChild({ ...labels });
      this.#children.set(key, child);
    }
    return child;
  }

  reset(): void {
    for (const child of this.#children.values()) child.value = 0;
  }

  async get() {
    const values = [...this.#children.values()].map((child) => ({
      value: child.value,
      labels: child.labels,
    }));
    return { help: this.help, name: this.name, type: this.type, values, aggregator: this.aggregator };
  }
}
