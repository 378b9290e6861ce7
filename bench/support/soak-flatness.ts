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
