/**
 * One transaction's queries on one PostgreSQL connection. SQL is written with `?` placeholders, as in
 * the SQLite engine, and numbered ($1, $2, ...) once per text; SQL text is always constant or built
 * from fixed fragments, every request value a bound parameter. The first failure of a query is kept:
 * after it PostgreSQL refuses everything until the transaction ends, and the store decides from it
 * whether the whole request is retried (pgStore.ts).
 */
import type pg from 'pg';

const numbered = new Map<string, string>();

/** `?` placeholders outside quoted strings and identifiers, as $1, $2, ... */
export function numberPlaceholders(sql: string): string {
  let out = numbered.get(sql);
  if (out !== undefined) return out;
  out = '';
  let n = 0;
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '?') {
      out += `$${++n}`;
      continue;
    }
    out += ch;
  }
  if (numbered.size < 10_000) numbered.set(sql, out);
  return out;
}

export class Sql {
  /** The first error a query of this transaction met. */
  failure: unknown;
  /** The query before: a connection runs one at a time, so queries asked for together (Promise.all) wait their turn. */
  private previous: Promise<unknown> = Promise.resolve();

  constructor(private readonly client: pg.PoolClient) {}

  async all<T>(sql: string, ...args: unknown[]): Promise<T[]> {
    return (await this.query(sql, args)).rows as T[];
  }

  async get<T>(sql: string, ...args: unknown[]): Promise<T | undefined> {
    return (await this.query(sql, args)).rows[0] as T | undefined;
  }

  /** The number of rows the statement changed. */
  async run(sql: string, ...args: unknown[]): Promise<number> {
    return (await this.query(sql, args)).rowCount ?? 0;
  }

  private query(sql: string, args: unknown[]): Promise<pg.QueryResult> {
    const run = async () => {
      try {
        return await this.client.query(numberPlaceholders(sql), args);
      } catch (e) {
        this.failure ??= e;
        throw e;
      }
    };
    const result = this.previous.then(run, run);
    this.previous = result.catch(() => undefined);
    return result;
  }
}
