/**
 * Runs every ```sql block of docs/*.md and examples/** (*.md blocks, whole *.sql files) against an in-process
 * engine, so the documentation cannot drift from the code. One engine per docs file, and one per examples folder
 * (its *.sql files first, as `psql -f` would, then its README's blocks); blocks run in file order.
 * Markers (a comment line inside the block): `-- docs-test: skip (reason)`, `-- docs-test: error <SQLSTATE>` (the
 * block's last statement must fail with it; every earlier one must succeed), `-- docs-test: rows <n>` (the last
 * statement returns n rows), `-- docs-test: fresh` (start a new engine first). Kafka addresses are replaced by a
 * closed local port, so no block ever talks to a real broker; sources and sinks then retry in the background.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import type { EngineSession } from '../../src/engine/api.js';
import { SqlError } from '../../src/common/errors.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** Nothing listens on port 1: a connector pointed here fails to connect and retries; it never reaches a broker. */
const CLOSED_BROKER = '127.0.0.1:1';

export interface SqlBlock {
  file: string;
  /** 1-based line of the opening fence (or 1 for a .sql file). */
  line: number;
  sql: string;
  skip: string | null;
  error: string | null;
  rows: number | null;
  fresh: boolean;
}

function walk(dir: string, accept: (name: string) => boolean): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, accept));
    else if (accept(name)) out.push(p);
  }
  return out;
}

/** A group of files whose blocks share one engine. */
export interface DocUnit {
  name: string;
  files: string[];
}

/**
 * The documentation whose SQL is tested: each docs/*.md alone; each examples folder as one unit, its *.sql files
 * before its *.md files (the user runs the SQL file, then the README's queries).
 */
export function documentationUnits(): DocUnit[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => ({ name: `docs/${f}`, files: [join(ROOT, 'docs', f)] }));
  const byDir = new Map<string, string[]>();
  for (const f of walk(join(ROOT, 'examples'), (n) => n.endsWith('.md') || n.endsWith('.sql'))) {
    const dir = relative(ROOT, join(f, '..'));
    byDir.set(dir, [...(byDir.get(dir) ?? []), f]);
  }
  const examples = [...byDir.entries()].map(([dir, fs]) => ({
    name: `${dir}/`,
    files: [...fs.filter((f) => f.endsWith('.sql')), ...fs.filter((f) => f.endsWith('.md'))],
  }));
  return [...docs, ...examples];
}

function markers(sql: string, file: string, line: number): Pick<SqlBlock, 'skip' | 'error' | 'rows' | 'fresh'> {
  const m: Pick<SqlBlock, 'skip' | 'error' | 'rows' | 'fresh'> = { skip: null, error: null, rows: null, fresh: false };
  for (const raw of sql.split('\n')) {
    const hit = /^\s*--\s*docs-test:\s*(.*)$/.exec(raw);
    if (!hit) continue;
    const body = hit[1]!.trim();
    let x: RegExpExecArray | null;
    if ((x = /^skip\s*\((.+)\)$/.exec(body))) m.skip = x[1]!;
    else if ((x = /^error\s+([0-9A-Z]{5})$/.exec(body))) m.error = x[1]!;
    else if ((x = /^rows\s+(\d+)$/.exec(body))) m.rows = Number(x[1]);
    else if (body === 'fresh') m.fresh = true;
    else throw new Error(`${file}:${line}: unknown docs-test marker "${body}" (use skip (reason), error SQLSTATE, rows N or fresh)`);
  }
  return m;
}

/** Every ```sql block of a Markdown file, or the whole of a .sql file. */
export function extractBlocks(file: string, text: string): SqlBlock[] {
  const rel = relative(ROOT, file);
  if (file.endsWith('.sql')) return [{ file: rel, line: 1, sql: text, ...markers(text, rel, 1) }];
  const out: SqlBlock[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*sql\s*$/i.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim().startsWith(fence)) body.push(lines[j++]!);
    if (j >= lines.length) throw new Error(`${rel}:${i + 1}: unclosed sql block`);
    const sql = body.join('\n');
    out.push({ file: rel, line: i + 1, sql, ...markers(sql, rel, i + 1) });
    i = j;
  }
  return out;
}

/** Point every Kafka bootstrap server at a closed port: the SQL is checked by the engine, no broker is touched. */
export function withoutBroker(sql: string): string {
  return sql.replace(/(properties\.bootstrap\.server\s*=\s*)'[^']*'/gi, `$1'${CLOSED_BROKER}'`);
}

interface Harness {
  engine: Engine;
  session: EngineSession;
}

async function open(): Promise<Harness> {
  const engine = await createEngine({ autoEpochs: false });
  return { engine, session: engine.openSession({ user: 'root', database: 'dev' }) };
}

function where(b: SqlBlock, stmt: string): string {
  return `${b.file}:${b.line}: ${stmt.replace(/\s+/g, ' ').slice(0, 120)}`;
}

/** Runs one block; returns the number of statements run. */
async function runBlock(h: Harness, b: SqlBlock): Promise<number> {
  const parts = h.session.splitStatements(withoutBroker(b.sql));
  assert.ok(parts.length > 0, `${b.file}:${b.line}: the sql block has no statements`);
  for (let k = 0; k < parts.length; k++) {
    const stmt = parts[k]!.sql;
    const last = k === parts.length - 1;
    let result;
    try {
      result = await h.session.execute(stmt);
    } catch (e) {
      if (b.error && last) {
        assert.ok(e instanceof SqlError, `${where(b, stmt)}: expected SqlError ${b.error}, got ${String(e)}`);
        assert.equal(e.code, b.error, `${where(b, stmt)}: expected SQLSTATE ${b.error}, got ${e.code} ${e.message}`);
        return parts.length;
      }
      const code = e instanceof SqlError ? e.code : '?';
      assert.fail(`${where(b, stmt)}: failed with ${code} ${(e as Error).message}`);
    }
    if (last) {
      if (b.error) assert.fail(`${where(b, stmt)}: expected error ${b.error}, but the statement succeeded`);
      if (b.rows !== null) {
        assert.equal(result.kind, 'rows', `${where(b, stmt)}: expected rows`);
        if (result.kind === 'rows') assert.equal(result.rows.length, b.rows, `${where(b, stmt)}: expected ${b.rows} rows, got ${result.rows.length}`);
      }
    }
  }
  return parts.length;
}

const units = documentationUnits();
const files = units.flatMap((u) => u.files);
const skipped: string[] = [];
let blocksRun = 0;

test('the documentation has sql blocks to test', () => {
  const total = files.reduce((n, f) => n + extractBlocks(f, readFileSync(f, 'utf8')).length, 0);
  assert.ok(files.some((f) => f.endsWith('sql-reference.md')), 'docs/sql-reference.md exists');
  for (const ex of ['tumbling-counts', 'enrichment-join', 'streaming-siem']) {
    assert.ok(units.some((u) => u.name === `examples/${ex}/` && u.files.some((f) => f.endsWith('.sql'))), `examples/${ex} has a .sql file`);
  }
  assert.ok(total >= 20, `expected at least 20 sql blocks, found ${total}`);
});

test('markers and extraction', () => {
  const md = ['# t', '```sql', 'SELECT 1;', '```', '```sql', '-- docs-test: error 42P01', 'SELECT * FROM nope;', '```', '```text', 'SELECT 2', '```'].join('\n');
  const blocks = extractBlocks(join(ROOT, 'docs', 'x.md'), md);
  assert.equal(blocks.length, 2);
  assert.equal(blocks[0]!.line, 2);
  assert.equal(blocks[1]!.error, '42P01');
  assert.throws(() => extractBlocks(join(ROOT, 'docs', 'x.md'), '```sql\n-- docs-test: maybe\n```'), /unknown docs-test marker/);
  assert.equal(withoutBroker("properties.bootstrap.server = 'kafka:9092'"), `properties.bootstrap.server = '${CLOSED_BROKER}'`);
});

/** Statements of a SQL text without comments, whitespace-normalized (to compare two copies of the same SQL). */
function statementsOf(sql: string): string[] {
  return sql
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((x) => x.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

const SEED = join(ROOT, '..', 'shared', 'seed', 'article.sql');

test("the article's SQL in examples/streaming-siem/siem.sql and docs/quickstart.md is verbatim", () => {
  const example = readFileSync(join(ROOT, 'examples', 'streaming-siem', 'siem.sql'), 'utf8');
  const quick = extractBlocks(join(ROOT, 'docs', 'quickstart.md'), readFileSync(join(ROOT, 'docs', 'quickstart.md'), 'utf8'));
  const articleBlock = quick.find((b) => /CREATE SINK siem_alerts_sink/.test(b.sql));
  assert.ok(articleBlock, 'docs/quickstart.md shows the article SQL');
  assert.deepEqual(statementsOf(articleBlock.sql), statementsOf(example));
  let seed: string | null = null;
  try {
    seed = readFileSync(SEED, 'utf8');
  } catch {
    seed = null; // the seed lives outside the repository; the two copies above still agree with each other
  }
  if (seed !== null) {
    // Exact text after the file's header comment: statements, inline comments and layout as in the article.
    const body = (t: string): string => t.slice(t.indexOf('CREATE SOURCE'));
    assert.equal(body(example), body(seed));
    assert.equal(statementsOf(example).length, 9);
  }
});

test('CREATE SOURCE and CREATE SINK on Kafka succeed without a reachable broker, and the engine closes', async () => {
  const h = await open();
  try {
    await h.session.execute(`CREATE SOURCE s (a INT, t TIMESTAMPTZ) WITH (connector = 'kafka', topic = 't', properties.bootstrap.server = '${CLOSED_BROKER}') FORMAT PLAIN ENCODE JSON`);
    await h.session.execute('CREATE MATERIALIZED VIEW v AS SELECT a, t FROM s');
    await h.session.execute(`CREATE SINK k FROM v WITH (connector = 'kafka', topic = 'out', properties.bootstrap.server = '${CLOSED_BROKER}') FORMAT PLAIN ENCODE JSON`);
    const src = await h.session.execute("SELECT status FROM sluice.sources WHERE name = 's'");
    assert.equal(src.kind, 'rows');
    if (src.kind === 'rows') {
      assert.equal(src.rows.length, 1);
      assert.ok(['starting', 'retrying'].includes(String(src.rows[0]![0])), `source status ${String(src.rows[0]![0])}`);
    }
    const snk = await h.session.execute("SELECT status FROM sluice.sinks WHERE name = 'k'");
    if (snk.kind === 'rows') assert.ok(['starting', 'retrying'].includes(String(snk.rows[0]![0])), `sink status ${String(snk.rows[0]![0])}`);
    const flush = await h.session.execute('FLUSH');
    assert.equal(flush.kind === 'command' ? flush.commandTag : '', 'FLUSH');
  } finally {
    await h.engine.close();
  }
});

for (const unit of units) {
  const blocks = unit.files.flatMap((file) => extractBlocks(file, readFileSync(file, 'utf8')));
  if (!blocks.length) continue;
  test(`sql blocks of ${unit.name} run`, { timeout: 120_000 }, async () => {
    let h = await open();
    try {
      for (const b of blocks) {
        if (b.skip) {
          skipped.push(`${b.file}:${b.line} (${b.skip})`);
          continue;
        }
        if (b.fresh) {
          await h.engine.close();
          h = await open();
        }
        await runBlock(h, b);
        blocksRun++;
      }
    } finally {
      await h.engine.close();
    }
  });
}

test('summary: skipped blocks are counted and printed', () => {
  console.log(`docs-sql: ${blocksRun} blocks run, ${skipped.length} skipped${skipped.length ? ':\n  ' + skipped.join('\n  ') : ''}`);
  assert.ok(blocksRun > 0);
});
