/**
 * A level read from the database when Prometheus scrapes. If the read fails (the database is down,
 * which /health/ready reports), the sample is NaN — Prometheus's "unknown" — so the scrape still
 * returns every other metric instead of failing whole.
 */
export const orNaN = (read: () => Promise<number>): Promise<number> => read().catch(() => Number.NaN);
