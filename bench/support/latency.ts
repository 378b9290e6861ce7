/** Latency samples (milliseconds) and their percentiles: every sample is kept, then sorted once. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export class LatencyRecorder {
  readonly #values: number[] = [];

  record(ms: number): void {
    this.#values.push(ms);
  }

  summary(): LatencySummary | null {
    return summarise(this.#values);
  }
}

const round1 = (v: number): number => Math.round(v * 10) / 10;

/** Nearest-rank percentiles; null when there is no sample. */
export function summarise(values: readonly number[]): LatencySummary | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const at = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  const sum = sorted.reduce((total, v) => total + v, 0);
  return {
    count: sorted.length,
    mean: round1(sum / sorted.length),
    p50: round1(at(50)),
    p90: round1(at(90)),
    p99: round1(at(99)),
    max: round1(sorted[sorted.length - 1] ?? 0),
  };
}
