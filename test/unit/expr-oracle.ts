/**
 * Test helper: the real PostgreSQL 15 on 127.0.0.1:5432 (db test) as the oracle for src/expr tests.
 * State: one pg Client per test file, TimeZone UTC, every result as raw text.
 * Invariant: `pgEval` returns either the text PostgreSQL prints or the SQLSTATE and message it raised.
 */
import pg from 'pg';

export type PgResult = { ok: true; text: string | null } | { ok: false; code: string; message: string };

export class PgOracle {
  private constructor(private readonly client: pg.Client) {}

  static async connect(): Promise<PgOracle> {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: 5432,
      database: 'test',
      user: 'postgres',
      types: { getTypeParser: () => (v: string) => v },
    });
    await client.connect();
    await client.query("SET TimeZone = 'UTC'");
    await client.query("SET extra_float_digits = 1");
    return new PgOracle(client);
  }

  /** Runs `SELECT <expr>` with optional text parameters; one column expected. */
  async eval(expr: string, params: readonly string[] = []): Promise<PgResult> {
    try {
      const r = await this.client.query({ text: `SELECT ${expr}`, values: params as string[], rowMode: 'array' });
      const row = r.rows[0] as (string | null)[] | undefined;
      return { ok: true, text: row ? (row[0] ?? null) : null };
    } catch (e) {
      const err = e as { code?: string; message?: string };
      return { ok: false, code: err.code ?? '?', message: err.message ?? String(e) };
    }
  }

  /** Runs many single-column SELECTs in one round trip each (same order as given). */
  async evalAll(exprs: readonly string[]): Promise<PgResult[]> {
    const out: PgResult[] = [];
    for (const e of exprs) out.push(await this.eval(e));
    return out;
  }

  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** Runs `fn` and captures its text or SqlError the way PgOracle.eval does. */
export function capture(fn: () => string | null): PgResult {
  try {
    return { ok: true, text: fn() };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { ok: false, code: err.code ?? 'JS', message: err.message ?? String(e) };
  }
}

/** SQL string literal for text. */
export function lit(text: string): string {
  return "'" + text.replace(/'/g, "''") + "'";
}
