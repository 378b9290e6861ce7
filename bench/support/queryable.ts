/** What the stats readers need of a connection: a pg.Client or pg.Pool, or a fake in unit tests. */
export interface Queryable {
  query<R extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}
