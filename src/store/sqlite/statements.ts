/** A cache of prepared statements for one connection. SQL text is always constant or built from fixed fragments. */
import type Database from 'better-sqlite3';

/** `n` SQL parameter placeholders for an IN list: `?, ?, ?`. */
export const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

export class Statements {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private prepare(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  get<T>(sql: string, ...args: unknown[]): T | undefined {
    return this.prepare(sql).get(...args) as T | undefined;
  }

  all<T>(sql: string, ...args: unknown[]): T[] {
    return this.prepare(sql).all(...args) as T[];
  }

  run(sql: string, ...args: unknown[]): Database.RunResult {
    return this.prepare(sql).run(...args);
  }
}
