import type { ChaosRun } from '../chaos-run.ts';

/**
 * The instance a kill or a pause takes (`planned`, or who stands in for it: FaultState.victimFor),
 * once it runs and no other fault has it down, marked down; null (with a finding) when none was
 * for 120 s. No await between choosing the victim and marking it down: a silent window starting
 * meanwhile must see it (and wait for it) or must have redirected the fault.
 */
export async function claimVictim(run: ChaosRun, planned: string, fault: string): Promise<string | null> {
  const { cluster, faults, records, lifetime } = run;
  let label = faults.victimFor(planned);
  const waitFrom = Date.now();
  while (faults.down.has(label) || !cluster.alive(cluster.get(label))) {
    if (Date.now() - waitFrom > 120_000) {
      records.findings.push(`${fault}: ${label} was not running for 120 s; ${fault.split(' ')[0]} skipped`);
      return null;
    }
    await lifetime.sleep(250);
    label = faults.victimFor(planned);
  }
  faults.down.add(label);
  return label;
}
