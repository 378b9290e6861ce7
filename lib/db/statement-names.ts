/**
 * Names for the statement texts run through one connection pool, so that each connection parses and
 * plans a statement once and afterwards only binds and executes it (named statements of the
 * extended protocol; node-postgres remembers per connection which names it has parsed). A name is
 * only ever given to one text, so two texts can never collide on a connection.
 *
 * Bounded: each name costs every connection a prepared statement on the server, so once `limit`
 * texts are named, further texts run unnamed as before (parsed and planned at each call) and
 * `onFull` is called once — statements whose text varies per call (a VALUES list, an IN list) are
 * what fills it; write those with arrays (`= any(?)`, `unnest(?)`) instead.
 */
export class StatementNames {
  readonly #names = new Map<string, string>();
  readonly #limit: number;
  #onFull: ((limit: number) => void) | null;

  constructor({ limit = 200, onFull }: { limit?: number; onFull?: (limit: number) => void } = {}) {
    if (!Number.isSafeInteger(limit) || limit < 0)
      throw new Error(`statement name limit must be >= 0, got ${limit}`);
    this.#limit = limit;
    this.#onFull = onFull ?? null;
  }

  /** The name of this text, or undefined when it runs unnamed (the limit is reached). */
  nameOf(text: string): string | undefined {
    const known = this.#names.get(text);
    if (known !== undefined) return known;
    if (this.#names.size >= this.#limit) {
      this.#onFull?.(this.#limit);
      this.#onFull = null;
      return undefined;
    }
    const name = `uow_${this.#names.size + 1}`;
    this.#names.set(text, name);
    return name;
  }

  get size(): number {
    return this.#names.size;
  }
}
