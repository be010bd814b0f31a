/**
 * `sluice sql`: a minimal psql-like client for machines without psql. Prints aligned tables like psql does.
 */
import pg from 'pg';

export async function runSql(host: string, port: number, sql: string): Promise<number> {
  const client = new pg.Client({ host, port, user: 'root', database: 'dev', types: { getTypeParser: () => (v: string) => v } });
  try {
    await client.connect();
  } catch (e) {
    process.stderr.write(`sluice: cannot connect to ${host}:${port}: ${(e as Error).message}\nhint: is the server running? Start it with "sluice serve".\n`);
    return 2;
  }
  client.on('notice', (n) => process.stderr.write(`NOTICE:  ${n.message}\n`));
  try {
    const results = await client.query({ text: sql, rowMode: 'array' } as pg.QueryConfig);
    for (const r of Array.isArray(results) ? results : [results]) print(r as pg.QueryResult<unknown[]>);
    return 0;
  } catch (e) {
    const err = e as { message: string; code?: string };
    process.stderr.write(`ERROR:  ${err.message}${err.code ? ` (SQLSTATE ${err.code})` : ''}\n`);
    return 1;
  } finally {
    await client.end();
  }
}

function print(r: pg.QueryResult<unknown[]>): void {
  if (!r.fields?.length) {
    process.stdout.write(`${r.command}${r.rowCount !== null && r.command !== 'CREATE' ? '' : ''}\n`);
    return;
  }
  const headers = r.fields.map((f) => f.name);
  const rows = r.rows.map((row) => row.map((v) => (v === null ? '' : String(v))));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => ' ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  process.stdout.write(line(headers.map((h, i) => h.padStart(Math.floor((widths[i]! + h.length) / 2)))) + '\n');
  process.stdout.write(widths.map((w) => '-'.repeat(w + 2)).join('+') + '\n');
  for (const row of rows) process.stdout.write(line(row) + '\n');
  process.stdout.write(`(${rows.length} row${rows.length === 1 ? '' : 's'})\n\n`);
}
