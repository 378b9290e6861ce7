import pg from 'pg';

// bigint columns (money in minor units, outbox seq) come back as JS numbers: our values stay far
// below 2^53, and a silent string where a number is expected would be worse. Imported by every
// module that opens connections (knex's pool, the unit-of-work pool), so no path reads int8 as text.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
