import type { Metric, Registry } from 'prom-client';

type Labels = Readonly<Record<string, string | number>>;

/** One sample as prom-client's registry formats it: `labels` first, then `sharedLabels`. */
interface Sample {
  labels: Record<string, string | number>;
  sharedLabels: Labels;
  value: number;
  metricName: string;
}

/**
 * One label combination of a FastHistogram: an observation is a search of the bucket bounds and
 * three additions. prom-client's own children hash their label object into a string and validate
 * it at every observation; on the hot path (a step's reply, an HTTP request) that was most of a
 * histogram's cost.
 */
export class HistogramChild {
  readonly labels: Labels;
  readonly #bounds: readonly number[];
  /** Observations per bucket (not cumulative); the last one is above the highest bound. */
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  constructor(labels: Labels, bounds: readonly number[]) {
    this.labels = labels;
    this.#bounds = bounds;
    this.#counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`histogram value is not a finite number: ${value}`);
    const bounds = this.#bounds;
    let bucket = 0;
    while (bucket < bounds.length && value > (bounds[bucket] as number)) bucket++;
    this.#counts[bucket] = (this.#counts[bucket] as number) + 1;
    this.#sum += value;
    this.#count += 1;
  }

  reset(): void {
    this.#counts.fill(0);
    this.#sum = 0;
    this.#count = 0;
  }

  /** `_bucket` (cumulative, `le` ascending, then `+Inf`), `_sum` and `_count`, as prom-client writes them. */
  samples(name: string, into: Sample[]): void {
    let cumulative = 0;
    this.#bounds.forEach((bound, i) => {
      cumulative += this.#counts[i] as number;
      into.push({
        labels: { le: bound },
        sharedLabels: this.labels,
        value: cumulative,
        metricName: `${name}_bucket`,
      });
    });
    into.push({
      labels: { le: '+Inf' },
      sharedLabels: this.labels,
      value: this.#count,
      metricName: `${name}_bucket`,
    });
    into.push({ labels: {}, sharedLabels: this.labels, value: this.#sum, metricName: `${name}_sum` });
    into.push({ labels: {}, sharedLabels: this.labels, value: this.#count, metricName: `${name}_count` });
  }
}

export interface FastHistogramOptions {
  name: string;
  help: string;
  /** Upper bounds, ascending (the `+Inf` bucket is implied). */
  buckets: readonly number[];
  labelNames?: readonly string[];
  registers: readonly Registry[];
}

/**
 * A Prometheus histogram whose text is prom-client's, byte for byte (fast-metrics.unit.spec.ts),
 * registered on prom-client registries as any of their metrics is (`registerMetric`; the registry
 * reads only `name`, `help`, `type`, `aggregator`, `get`/`getForPromString` and `reset`). Children
 * are made by `labels()` and kept by the caller (label-children.ts); a histogram without labels
 * has one child from the start, so its zeros are exposed before the first observation.
 */
export class FastHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #bounds: readonly number[];
  readonly #labelNames: readonly string[];
  readonly #children = new Map<string, HistogramChild>();
  readonly #unlabelled: HistogramChild | null;

  constructor(options: FastHistogramOptions) {
    const bounds = [...options.buckets];
    if (bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (bounds[i - 1] as number))))
      throw new Error(`histogram ${options.name}: buckets must be finite and ascending`);
    this.name = options.name;
    this.help = options.help;
    this.#bounds = bounds;
    this.#labelNames = options.labelNames ?? [];
    this.#unlabelled = this.#labelNames.length === 0 ? this.labels({}) : null;
    // The registry's public registration; it reads only the members listed above.
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The child of a label combination (every label name given, no other); the same one each time. */
  labels(labels: Labels): HistogramChild {
    const names = Object.keys(labels);
    if (names.length !== this.#labelNames.length || names.some((n) => !this.#labelNames.includes(n)))
      throw new Error(
        `histogram ${this.name}: labels ${names.join(',')} are not ${this.#labelNames.join(',')}`,
      );
    const key = JSON.stringify(this.#labelNames.map((n) => labels[n]));
    let child = this.#children.get(key);
    if (child === undefined) {
      child = new HistogramChild({ ...labels }, this.#bounds);
      this.#children.set(key, child);
    }
    return child;
  }

  /** An observation of the histogram without labels. */
  observe(value: number): void {
    if (this.#unlabelled === null)
      throw new Error(`histogram ${this.name} has labels: observe through labels()`);
    this.#unlabelled.observe(value);
  }

  reset(): void {
    for (const child of this.#children.values()) child.reset();
  }

  async getForPromString() {
    const values: Sample[] = [];
    for (const child of this.#children.values()) child.samples(this.name, values);
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** As getForPromString, each sample's labels in one object (prom-client's JSON form). */
  async get() {
    const data = await this.getForPromString();
    return {
      ...data,
      values: data.values.map(({ labels, sharedLabels, value, metricName }) => ({
        labels: { ...labels, ...sharedLabels },
        value,
        metricName,
      })),
    };
  }
}
