import type { Logger } from '../../lib/logger.ts';

export type AdmissionDecision =
  /** `settled` must be called once the order's creation committed or failed. */
  | { admitted: true; settled(): void }
  | { admitted: false; sagasInFlight: number; limit: number; retryAfterS: number };

export type Refusal = Extract<AdmissionDecision, { admitted: false }>;

/** What GET /admission shows: the bound, this instance's estimate of the sagas in flight, refusals. */
export interface AdmissionStatus {
  /** MAX_SAGAS_IN_FLIGHT; null when there is no limit. */
  limit: number | null;
  /** Null when there is no limit (nothing reads the counter then). */
  sagasInFlight: number | null;
  admitting: boolean;
  /** Orders this instance refused since it started. */
  refused: number;
}

export interface Admission {
  /** Decides for one new order; an admitted order counts as in flight from now on. */
  admit(): AdmissionDecision;
  /**
   * The refusal to answer now if the limit is reached (counted as a refusal), null if there is room;
   * admits nothing either way: for refusing a request before reading it.
   */
  refusalNow(): Refusal | null;
  status(): AdmissionStatus;
  stop(): void;
}

const nothingToSettle = (): void => undefined;

/** Admits everything (MAX_SAGAS_IN_FLIGHT=0). */
export const admitAll: Admission = {
  admit: () => ({ admitted: true, settled: nothingToSettle }),
  refusalNow: () => null,
  status: () => ({ limit: null, sagasInFlight: null, admitting: true, refused: 0 }),
  stop: () => undefined,
};

/**
 * Admission control for POST /orders: refuses new orders while `limit` sagas or more are in flight,
 * so that overload turns into fast 429 answers instead of a queue in which every saga is late (and
 * steps time out). The number in flight is the database's (orders.sagas_in_flight, kept exact by the
 * transactions that start and end sagas, over every orchestrator instance), read every
 * `refreshIntervalMs`. Orders this instance admitted since the read began, or whose creation had not
 * committed when it began, are added to it (some may be counted twice until the next read: the
 * estimate errs high, never low), so a burst between two reads cannot overshoot by more than what
 * other instances admit in that time.
 */
export class InFlightAdmission implements Admission {
  readonly #limit: number;
  readonly #read: () => Promise<number>;
  readonly #logger: Logger;
  readonly #retryAfterS: number;
  #timer: NodeJS.Timeout | null = null;
  #lastRead = 0;
  #admittedSinceRead = 0;
  /** Admitted orders whose creation has not committed or failed yet. */
  #creating = 0;
  #readFailing = false;
  #reading = false;
  #readsBegun = 0;
  #readsEnded = 0;
  readonly #summaryIntervalMs: number;
  /** Refusals not yet reported, and when the first of them happened. */
  #refusedSinceSummary = 0;
  #refused = 0;
  readonly #now: () => number;
  #summaryAt: number;

  private constructor(options: InFlightAdmissionOptions) {
    this.#limit = options.limit;
    this.#read = options.readSagasInFlight;
    this.#logger = options.logger;
    this.#retryAfterS = options.retryAfterS ?? 1;
    this.#summaryIntervalMs = options.summaryIntervalMs ?? 10_000;
    this.#now = options.clock ?? Date.now;
    this.#summaryAt = this.#now();
  }

  /** Reads the number in flight once (a failure is a start-up error), then every `refreshIntervalMs`. */
  static async start(options: InFlightAdmissionOptions): Promise<InFlightAdmission> {
    if (!Number.isSafeInteger(options.limit) || options.limit < 1) {
      throw new Error(`the in-flight limit must be a positive integer, got ${options.limit}`);
    }
    const admission = new InFlightAdmission(options);
    admission.#lastRead = await options.readSagasInFlight();
    admission.#timer = setInterval(() => void admission.#refresh(), options.refreshIntervalMs ?? 100);
    admission.#timer.unref();
    return admission;
  }

  /**
   * Reads of the counter begun and ended so far (one at a time): once `readsEnded` exceeds a value of
   * `readsBegun` taken at some moment, a read that began after that moment has ended.
   */
  get reads(): { begun: number; ended: number } {
    return { begun: this.#readsBegun, ended: this.#readsEnded };
  }

  /** Sagas in flight as this instance knows it: the last read plus what it admitted since. */
  get sagasInFlight(): number {
    return this.#lastRead + this.#admittedSinceRead;
  }

  refusalNow(): Refusal | null {
    const sagasInFlight = this.sagasInFlight;
    if (sagasInFlight < this.#limit) return null;
    // A summary covers the time from its first refusal, not a quiet period before it.
    if (this.#refusedSinceSummary === 0) this.#summaryAt = this.#now();
    this.#refusedSinceSummary += 1;
    this.#refused += 1;
    return { admitted: false, sagasInFlight, limit: this.#limit, retryAfterS: this.#retryAfterS };
  }

  status(): AdmissionStatus {
    const sagasInFlight = this.sagasInFlight;
    return {
      limit: this.#limit,
      sagasInFlight,
      admitting: sagasInFlight < this.#limit,
      refused: this.#refused,
    };
  }

  admit(): AdmissionDecision {
    const refusal = this.refusalNow();
    if (refusal) return refusal;
    this.#admittedSinceRead += 1;
    this.#creating += 1;
    let settled = false;
    return {
      admitted: true,
      settled: () => {
        if (settled) return;
        settled = true;
        this.#creating -= 1;
      },
    };
  }

  /** Stops reading; refusals not yet reported are reported now. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#summarise({ now: true });
  }

  /** At most one warning per summary interval while orders are refused: overload is never silent. */
  #summarise({ now: force }: { now: boolean } = { now: false }): void {
    const now = this.#now();
    if (this.#refusedSinceSummary === 0) return;
    if (!force && now - this.#summaryAt < this.#summaryIntervalMs) return;
    this.#logger.warn(
      {
        refused: this.#refusedSinceSummary,
        seconds: Math.round((now - this.#summaryAt) / 100) / 10,
        sagasInFlight: this.sagasInFlight,
        limit: this.#limit,
      },
      'new orders refused (429): the sagas in flight reached MAX_SAGAS_IN_FLIGHT',
    );
    this.#refusedSinceSummary = 0;
    this.#summaryAt = now;
  }

  async #refresh(): Promise<void> {
    this.#summarise();
    if (this.#reading) return; // a slow read is not stacked with more
    this.#reading = true;
    this.#readsBegun += 1;
    // Orders admitted and committed before the read began are in its result; those still being
    // created then, or admitted while it runs, are kept on top of it.
    const admittedBefore = this.#admittedSinceRead;
    const creatingBefore = this.#creating;
    try {
      const read = await this.#read();
      this.#lastRead = read + creatingBefore;
      this.#admittedSinceRead -= admittedBefore;
      if (this.#readFailing)
        this.#logger.info({ sagasInFlight: read }, 'reading the sagas in flight works again');
      this.#readFailing = false;
    } catch (error) {
      // Keep deciding on the last value; say so once per failure streak.
      if (!this.#readFailing) {
        this.#logger.warn(
          { err: error },
          'could not read the sagas in flight; admission uses the last value',
        );
      }
      this.#readFailing = true;
    } finally {
      this.#reading = false;
      this.#readsEnded += 1;
    }
  }
}

export interface InFlightAdmissionOptions {
  /** Refuse new orders from this many sagas in flight on (≥ 1). */
  limit: number;
  readSagasInFlight: () => Promise<number>;
  logger: Logger;
  refreshIntervalMs?: number;
  /** Retry-After of a refusal, in seconds. */
  retryAfterS?: number;
  /** While orders are refused, one warning with their number per this many ms (default 10 s). */
  summaryIntervalMs?: number;
  /** Epoch ms (default Date.now), for the warning's period. */
  clock?: () => number;
}
