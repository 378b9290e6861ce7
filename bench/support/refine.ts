/**
 * `--refine N`: narrows down the highest sustained open-loop rate between the rates of the grid.
 *
 * The goals are stated in sagas/s sustained, and a grid of rates reports the highest sustained one
 * only to within its step: with 2500 sustained and 2750 not, the answer is "somewhere in between",
 * a tenth of the ceiling on this machine. Each refinement point runs at the middle of the highest
 * sustained rate and the lowest unsustained rate above it, so N points halve that gap N times.
 */

/** What refinement needs to know of an open-loop point already measured. */
export interface OpenLoopOutcome {
  target: number;
  sustained: boolean;
}

/** Refinement rates are multiples of this (sagas/s); a gap it cannot split ends the refinement. */
export const REFINE_GRANULARITY = 10;

/**
 * The next open-loop rate to measure: the middle (rounded to REFINE_GRANULARITY) of the highest
 * sustained rate and the lowest unsustained rate above it. Null when no rate was sustained, when
 * every rate above the highest sustained one was sustained too (nothing above it was measured), or
 * when the two are too close to split.
 */
export function nextRefinementRate(points: readonly OpenLoopOutcome[]): number | null {
  let low = Number.NEGATIVE_INFINITY;
  for (const p of points) if (p.sustained && p.target > low) low = p.target;
  if (low === Number.NEGATIVE_INFINITY) return null;
  let high = Number.POSITIVE_INFINITY;
  for (const p of points) if (!p.sustained && p.target > low && p.target < high) high = p.target;
  if (high === Number.POSITIVE_INFINITY) return null;
  const middle = Math.round((low + high) / 2 / REFINE_GRANULARITY) * REFINE_GRANULARITY;
  return middle > low && middle < high ? middle : null;
}
