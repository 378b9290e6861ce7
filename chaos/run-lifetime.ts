/**
 * How a run ends early: an interruption (Ctrl-C, SIGTERM) or a failed lane aborts one signal that
 * every wait of the run listens to, so every phase stops at its next wait.
 */
import { setMaxListeners } from 'node:events';

/** Thrown by the run's waits once it is interrupted. */
export class Aborted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Aborted';
  }
}

export class RunLifetime {
  readonly #abort = new AbortController();
  /** The error of the lane that ended the run; null when it was not ended by a failure. */
  failure: unknown = null;

  constructor() {
    // every pending chaos event waits on it (dozens of kills): not a leak
    setMaxListeners(0, this.#abort.signal);
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get aborted(): boolean {
    return this.#abort.signal.aborted;
  }

  abort(): void {
    this.#abort.abort();
  }

  /** Ends the run because a lane failed; an Aborted error is the interruption itself, not a failure. */
  failWith(error: unknown): void {
    if (!(error instanceof Aborted)) this.failure = error;
    this.abort();
  }

  /** Rejects with Aborted when the run is interrupted; the abort listener never outlives the wait. */
  sleep(ms: number): Promise<void> {
    const signal = this.#abort.signal;
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(new Aborted());
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Aborted());
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Rejects with Aborted once the run is interrupted (handled: racing it never leaves a rejection unhandled). */
  interruption(): Promise<never> {
    const interrupted = new Promise<never>((_, reject) =>
      this.#abort.signal.addEventListener('abort', () => reject(new Aborted()), { once: true }),
    );
    interrupted.catch(() => undefined);
    return interrupted;
  }
}
