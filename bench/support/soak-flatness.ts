/**
 * Whether a series sampled during a soak is flat: the mean of its last third is within `tolerance`
 * (a fraction) above the mean of its middle third. The first third is left out: it holds the
 * warm-up and the growth up to the retention, after which pruning deletes as much as is written.
 * Only growth counts: a series that shrinks is flat.
 */
export interface Flatness {
  middleMean: number;
  lastMean: number;
  /** lastMean ÷ middleMean − 1, rounded to 3 digits (0 when both are 0). */
  growth: number;
  flat: boolean;
}

const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;

export function judgeFlatness(series: readonly number[], tolerance: number): Flatness | null {
  if (series.length < 3) return null;
  const third = Math.floor(series.length / 3);
  const middleMean = mean(series.slice(third, 2 * third));
  const lastMean = mean(series.slice(series.length - third));
  const growth = middleMean === 0 ? (lastMean === 0 ? 0 : Infinity) : lastMean / middleMean - 1;
  return {
    middleMean: Math.round(middleMean),
    lastMean: Math.round(lastMean),
    growth: Math.round(growth * 1000) / 1000,
    flat: growth <= tolerance,
  };
}

/**
 * The least-squares slope of a sampled series over its last `windowS` seconds, in units per minute,
 * and as a share of the window's mean per 10 minutes (0 when the mean is 0); null with fewer than
 * two samples in the window. Says what the thirds' means hide: whether the series still climbs at
 * the end of the run.
 */
export interface Trend {
  perMinute: number;
  /** perMinute × 10 ÷ the window's mean, rounded to 3 digits. */
  per10MinShare: number;
}

export function trendOf(
  points: ReadonlyArray<{ atS: number; value: number }>,
  windowS: number,
): Trend | null {
  const endS = points.at(-1)?.atS ?? 0;
  const window = points.filter((p) => p.atS >= endS - windowS);
  if (window.length < 2) return null;
  const meanT = mean(window.map((p) => p.atS / 60));
  const meanV = mean(window.map((p) => p.value));
  let covariance = 0;
  let variance = 0;
  for (const p of window) {
    covariance += (p.atS / 60 - meanT) * (p.value - meanV);
    variance += (p.atS / 60 - meanT) ** 2;
  }
  const perMinute = variance === 0 ? 0 : covariance / variance;
  return {
    perMinute: Math.round(perMinute),
    per10MinShare: meanV === 0 ? 0 : Math.round(((perMinute * 10) / meanV) * 1000) / 1000,
  };
}
