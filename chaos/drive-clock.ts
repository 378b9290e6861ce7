/** Time in the drive period: every planned moment is milliseconds after the drive started. */
import { seconds } from './event-log.ts';
import type { RunLifetime } from './run-lifetime.ts';

export class DriveClock {
  readonly #lifetime: RunLifetime;
  /** epoch ms; 0 until the drive starts */
  startedAt = 0;

  constructor(lifetime: RunLifetime) {
    this.#lifetime = lifetime;
  }

  start(): void {
    this.startedAt = Date.now();
  }

  /** Time since the drive started, e.g. `12.3s`. */
  since(): string {
    return seconds(Date.now() - this.startedAt);
  }

  /** Waits until `at` ms after the drive started; rejects with Aborted when the run is interrupted. */
  async sleepUntil(at: number): Promise<void> {
    const wait = this.startedAt + at - Date.now();
    if (wait > 0) await this.#lifetime.sleep(wait);
  }
}
