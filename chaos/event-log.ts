/** The run's narration: every event printed with the time since the start and appended to events.log as JSON. */
import { appendFileSync } from 'node:fs';

/** `12.3s` */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

export class EventLog {
  readonly #file: string;
  readonly startedAt: number;

  constructor(file: string, startedAt: number) {
    this.#file = file;
    this.startedAt = startedAt;
  }

  /** Time since `from` (the start of the run), e.g. `12.3s`. */
  elapsed(from = this.startedAt): string {
    return seconds(Date.now() - from);
  }

  /** Prints the event and appends it (with `detail`) to the events file. A property: handed around as a callback. */
  readonly say = (message: string, detail?: Record<string, unknown>): void => {
    console.log(`[chaos +${this.elapsed().padStart(7)}] ${message}`);
    appendFileSync(this.#file, `${JSON.stringify({ at: new Date().toISOString(), message, ...detail })}\n`);
  };
}
