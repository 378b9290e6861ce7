/**
 * The faults in progress, shared by the kill, broker-restart and silent-window lanes: which
 * instances are down after a kill, which participant is silenced, whether the broker is restarting.
 */
import type { ServiceName } from '../../scripts/support/service-processes.ts';
import { type ParticipantName, serviceNames } from '../cluster.ts';

export class FaultState {
  /** Instances between their kill -9 and answering HTTP again. */
  readonly down = new Set<string>();
  /** The participant silenced by the current window (from the start of its drain to its end). */
  silenced: ParticipantName | null = null;
  /** The broker restart in progress: the run waits for it before it stops. */
  restartingBroker: Promise<unknown> | null = null;
  /** Watches of restarted instances until they are ready (the drive ends once they all settled). */
  readonly readinessWatches: Promise<unknown>[] = [];

  /** The instance to kill for a planned victim: the silenced participant's instances must keep their fault. */
  victimFor(planned: string): string {
    const [service, index] = planned.split('-') as [ServiceName, string];
    if (service !== this.silenced) return planned;
    // the same instance of the next service
    const next = serviceNames[(serviceNames.indexOf(service) + 1) % serviceNames.length];
    return `${next}-${index}`;
  }
}
