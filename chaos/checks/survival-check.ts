/**
 * Invariant 7: the services survive kills of others and broker restarts — no instance exited by
 * itself, and the run's own findings (an instance not ready in time, a failed broker restart, a
 * silent window that did not work, no quiescence) are violations too. Slow restarts are notes.
 */
import { relative } from 'node:path';
import type { UnexpectedExit } from '../cluster.ts';
import { seconds } from '../event-log.ts';
import type { CheckResult } from './check-result.ts';

export interface SurvivalFacts {
  instances: number;
  unexpectedExits: readonly UnexpectedExit[];
  /** What went wrong during the run, each a sentence. */
  findings: readonly string[];
  kills: number;
  /** How long restarted instances took to answer HTTP, when over 20 s. */
  slowLiveMs: readonly number[];
  /** Slow recoveries that are not violations (the instance did come back by itself). */
  availability: readonly string[];
  /** Log paths are printed relative to it. */
  repoRoot: string;
}

export function survivalCheck(facts: SurvivalFacts): CheckResult {
  const exits = facts.unexpectedExits.map(
    (e) =>
      `${e.instance} exited by itself at ${e.at.toISOString()} (code ${e.code}, signal ${e.signal}); log ${relative(facts.repoRoot, e.log)}`,
  );
  const slow = facts.slowLiveMs;
  return {
    id: '7',
    invariant: 'services survive kills of others and broker restarts',
    checked: facts.instances,
    violations: [...exits, ...facts.findings],
    notes: [
      ...(slow.length === 0
        ? []
        : [
            `availability (not a violation): ${slow.length} of ${facts.kills} restarted instances answered HTTP only ${seconds(Math.min(...slow))}–${seconds(Math.max(...slow))} after their restart`,
          ]),
      ...facts.availability.map((a) => `availability (not a violation): ${a}`),
    ],
  };
}
