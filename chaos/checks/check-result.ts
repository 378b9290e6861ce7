/** What every invariant check returns, and the disruptions that may explain a timed-out order. */

/** A period in which the consumer groups of `services` could not make progress (a kill, a broker restart). */
export interface Disruption {
  what: string;
  services: string[];
  /** epoch ms */
  from: number;
  /** epoch ms when every affected instance was ready again; null if never seen ready */
  to: number | null;
}

/** One report row: what was checked, how many items, every violation with enough detail to diagnose. */
export interface CheckResult {
  id: string;
  invariant: string;
  checked: number;
  violations: string[];
  /** Facts worth printing even without a violation (e.g. how many FAILED, duplicate publishes). */
  notes?: string[];
}
