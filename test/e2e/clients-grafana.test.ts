/**
 * Grafana's PostgreSQL datasource against the real server, through node-postgres: its health check (Ping and
 * SELECT 1), version and TimescaleDB probes, schema / table / column lists (information_schema with
 * quote_ident, current_setting('search_path'), string_to_array, parse_ident, as Grafana's postgresMetaQuery.ts
 * builds them) and macro-expanded time-series queries on the article's views ($__timeFilter, $__timeGroupAlias,
 * $__timeEpoch, $__unixEpochFilter expanded as Grafana's macros.go does), with results in text and, compared
 * with PostgreSQL 15's, in binary format (pgx's path).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startFixtureServer, FIXTURE, type FixtureServer } from '../clients/fixture.js';
import { withOracle, oracleConnection, ensurePostgres } from '../harness/pg-oracle.js';

let fx: FixtureServer;
let client: pg.Client;

before(async () => {
  fx = await startFixtureServer();
  client = new pg.Client({ host: '127.0.0.1', port: fx.port, user: 'root', database: 'dev', application_name: 'grafana' });
  await client.connect();
}, { timeout: 120_000 });

after(async () => {
  await client?.end();
  await fx?.close();
});

// ── Grafana's meta queries (postgresMetaQuery.ts), rebuilt here with the same text ──

function buildSchemaConstraint(): string {
  return `
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )`;
}

const getVersion = (): string => "SELECT current_setting('server_version_num')::int/100 as version";
const getTimescaleDBVersion = (): string => "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'";
const showSchemas = (): string => `SELECT schema_name AS "name"
    FROM information_schema.schemata
    WHERE schema_name NOT IN ('information_schema',
                              'pg_catalog',
                              'pg_toast',
                              '_timescaledb_cache',
                              '_timescaledb_catalog',
                              '_timescaledb_internal',
                              '_timescaledb_config',
                              'timescaledb_information',
                              'timescaledb_experimental')
    ORDER BY schema_name`;

function showTables(schema?: string): string {
  if (schema) {
    const schemaPart = "'" + schema.replace(/'/g, "''") + "'";
    return `SELECT quote_ident(table_name) AS "table"
      FROM information_schema.tables
      WHERE quote_ident(table_schema) = ${schemaPart}
      ORDER BY 1`;
  }
  return `SELECT
    CASE WHEN ${buildSchemaConstraint()}
      THEN quote_ident(table_name)
      ELSE quote_ident(table_schema) || '.' || quote_ident(table_name)
    END AS "table"
    FROM information_schema.tables
    WHERE quote_ident(table_schema) NOT IN ('information_schema',
                             'pg_catalog',
                             '_timescaledb_cache',
                             '_timescaledb_catalog',
                             '_timescaledb_internal',
                             '_timescaledb_config',
                             'timescaledb_information',
                             'timescaledb_experimental')
    ORDER BY CASE WHEN ${buildSchemaConstraint()} THEN 0 ELSE 1 END, 1`;
}

function getSchema(table: string): string {
  const tableNamePart = "'" + table.replace(/'/g, "''") + "'";
  return `SELECT quote_ident(column_name) AS "column", data_type AS "type"
    FROM information_schema.columns
    WHERE
      CASE WHEN array_length(parse_ident(${tableNamePart}),1) = 2
        THEN quote_ident(table_schema) = (parse_ident(${tableNamePart}))[1]
          AND quote_ident(table_name) = (parse_ident(${tableNamePart}))[2]
        ELSE quote_ident(table_name) = ${tableNamePart}
          AND ${buildSchemaConstraint()}
      END`;
}

// ── Grafana's macro engine (macros.go), for the macros used below ──

/** Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros. */
function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.?0+Z$/, 'Z').replace(/T(\d\d:\d\d)Z$/, 'T$1:00Z');
}

function intervalSeconds(s: string): number {
  const m = /^'?(\d+)([smhd])'?$/.exec(s.trim());
  assert.ok(m, `interval ${s}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

function interpolate(sql: string, from: Date, to: Date): string {
  return sql.replace(/\$([_a-zA-Z0-9]+)\(([^)]*)\)/g, (_all, name: string, argText: string) => {
    const args = argText.split(',').map((a) => a.trim());
    switch (name) {
      case '__time':
        return `${args[0]} AS "time"`;
      case '__timeEpoch':
        return `extract(epoch from ${args[0]}) as "time"`;
      case '__timeFilter':
        return `${args[0]} BETWEEN '${rfc3339Nano(from)}' AND '${rfc3339Nano(to)}'`;
      case '__timeGroup':
      case '__timeGroupAlias': {
        const secs = intervalSeconds(args[1]!);
        return `floor(extract(epoch from ${args[0]})/${secs})*${secs}` + (name === '__timeGroupAlias' ? ' AS "time"' : '');
      }
      case '__unixEpochFilter':
        return `${args[0]} >= ${Math.floor(from.getTime() / 1000)} AND ${args[0]} <= ${Math.floor(to.getTime() / 1000)}`;
      default:
        throw new Error(`macro ${name} is not expanded by this test`);
    }
  });
}

/** A range holding the fixture's fixed-time alerts and not its NOW()-relative one. */
const FROM = new Date('2026-01-01T00:00:00Z');
const TO = new Date('2026-07-01T00:00:00Z');

const q = async (sql: string): Promise<pg.QueryResult> => client.query(sql);

test('health check: Ping (empty and comment-only queries) and SELECT 1', async () => {
  await q(';');
  await q('-- ping');
  const r = await q('SELECT 1');
  assert.deepEqual(r.rows.map((x) => Object.values(x)), [[1]]);
});

test('version probes: server_version_num and the TimescaleDB extension check', async () => {
  const v = await q(getVersion());
  assert.deepEqual(v.rows, [{ version: 1500 }]);
  assert.equal((await q("SELECT current_setting('server_version_num')")).rows[0].current_setting, '150000');
  assert.deepEqual((await q(getTimescaleDBVersion())).rows, []);
});

test('schema list and table list of one schema', async () => {
  const schemas = (await q(showSchemas())).rows.map((r) => r.name);
  assert.deepEqual(schemas, ['public', 'sluice']);
  const tables = (await q(showTables('public'))).rows.map((r) => r.table);
  assert.deepEqual(tables, [...FIXTURE.tables, ...FIXTURE.views, ...FIXTURE.materializedViews, ...FIXTURE.foreignTables].sort());
});

test('table list on the search path: public relations bare first, other schemas qualified after', async () => {
  const tables: string[] = (await q(showTables())).rows.map((r) => r.table);
  const publicOnes = [...FIXTURE.tables, ...FIXTURE.views, ...FIXTURE.materializedViews, ...FIXTURE.foreignTables].sort();
  assert.deepEqual(tables.slice(0, publicOnes.length), publicOnes);
  const rest = tables.slice(publicOnes.length);
  assert.ok(rest.length > 0 && rest.every((t) => t.startsWith('sluice.')), rest.join(','));
  assert.ok(rest.includes('sluice.sources'));
});

test('column list of a materialized view, bare and schema-qualified', async () => {
  const expected = [
    { column: 'alert_type', type: 'text' },
    { column: 'entity', type: 'character varying' },
    { column: 'detected_at', type: 'timestamp with time zone' },
    { column: 'description', type: 'text' },
  ];
  assert.deepEqual((await q(getSchema('siem_alerts'))).rows, expected);
  assert.deepEqual((await q(getSchema('public.siem_alerts'))).rows, expected);
  assert.deepEqual((await q(getSchema('no_such_view'))).rows, []);
});

test('time series: $__timeFilter on siem_alerts grouped by time', async () => {
  const sql = interpolate('SELECT detected_at AS "time", count(*) FROM siem_alerts WHERE $__timeFilter(detected_at) GROUP BY 1 ORDER BY 1', FROM, TO);
  assert.match(sql, /detected_at BETWEEN '2026-01-01T00:00:00Z' AND '2026-07-01T00:00:00Z'/);
  const r = await q(sql);
  assert.deepEqual(
    r.rows.map((x) => [(x.time as Date).toISOString(), x.count]),
    FIXTURE.fixedAlerts.map((a) => [a.detectedAt, '1']),
  );
});

test('time series: $__timeGroupAlias buckets with a metric column', async () => {
  const sql = interpolate(
    'SELECT $__timeGroupAlias(detected_at, 1h), alert_type AS metric, count(*) AS "value" FROM siem_alerts WHERE $__timeFilter(detected_at) GROUP BY 1, 2 ORDER BY 1, 2',
    FROM,
    TO,
  );
  const r = await q(sql);
  assert.deepEqual(
    r.rows.map((x) => [String(x.time), x.metric, x.value]),
    [
      [String(Date.parse('2026-03-01T10:00:00Z') / 1000), 'suspicious_process', '2'],
      [String(Date.parse('2026-06-01T12:00:00Z') / 1000), 'brute_force', '1'],
    ],
  );
});

test('time series: $__timeEpoch and $__unixEpochFilter over the brute-force windows', async () => {
  const sql = interpolate(
    // Grafana's macro regex stops at the first ')', so an epoch column is filtered from a derived table.
    'SELECT $__timeEpoch(window_end), failures AS "value" FROM (SELECT window_end, failures, extract(epoch from window_end) AS t FROM brute_force_detections) b WHERE $__unixEpochFilter(t) ORDER BY 1',
    FROM,
    TO,
  );
  const r = await q(sql);
  assert.deepEqual(r.rows.map((x) => [Number(x.time), x.value]), [[Date.parse('2026-06-01T12:05:00Z') / 1000, '21']]);
});

test('a variable query: distinct values for a dashboard drop-down', async () => {
  const r = await q('SELECT DISTINCT alert_type AS __text FROM siem_alerts ORDER BY 1');
  assert.deepEqual(r.rows.map((x) => x.__text), ['auth_from_blocked_ip', 'brute_force', 'suspicious_process']);
});

test('the functions Grafana\'s meta queries use give PostgreSQL 15\'s results', { timeout: 60_000 }, async () => {
  const exprs = [
    "string_to_array('\"$user\", public', ',')",
    "string_to_array('a,b,,c', ',')",
    "string_to_array('a,b,,c', ',', '')",
    "string_to_array('x y', NULL)",
    "string_to_array('', ',')",
    "string_to_array('NULL,{x},q\"t', ',')",
    "parse_ident('siem_alerts')",
    "parse_ident('public.siem_alerts')",
    "parse_ident('\"My Schema\".\"Odd\"\"Name\"')",
    "parse_ident('Public.SIEM_Alerts')",
    "array_length(parse_ident('public.siem_alerts'), 1)",
    "(parse_ident('public.siem_alerts'))[2]",
    "quote_ident('siem_alerts')",
    "quote_ident('Siem Alerts')",
    "trim((string_to_array(current_setting('search_path'), ','))[2])",
  ];
  const sql = `SELECT ${exprs.map((e, i) => `(${e})::text AS c${i}`).join(', ')}`;
  const ours = Object.values((await q(sql)).rows[0] as Record<string, string | null>);
  const theirs = await withOracle(async (o) => {
    await o.client.query("SET search_path = \"$user\", public");
    return (await o.query(sql))[0]!;
  });
  assert.deepEqual(ours, [...theirs]);
});

/**
 * Extended-protocol query with binary results (what pgx, Grafana's newer driver, asks for): type OIDs and each
 * value as node-postgres hands it over undecoded (its protocol layer reads binary fields as UTF-8 text, so bytes
 * that are not valid UTF-8 compare as U+FFFD; its own binary type parsers are not trustworthy for timestamptz).
 */
async function binaryRows(config: pg.ClientConfig, sql: string, params: string[]): Promise<{ oids: number[]; rows: string[][] }> {
  const raw = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('hex') : Buffer.from(String(v), 'utf8').toString('hex'));
  // `binary` is a node-postgres option that its type definitions lack.
  const options: pg.ClientConfig & { binary: boolean } = { ...config, binary: true, types: { getTypeParser: () => raw } as unknown as pg.CustomTypesConfig };
  const c = new pg.Client(options);
  await c.connect();
  try {
    const r = await c.query({ text: sql, values: params, rowMode: 'array' });
    return { oids: r.fields.map((f) => f.dataTypeID), rows: (r.rows as unknown[][]).map((row) => row.map(raw)) };
  } finally {
    await c.end();
  }
}

test('binary results of a time-series query match PostgreSQL 15\'s as the client receives them', { timeout: 60_000 }, async () => {
  const params = [rfc3339Nano(FROM), rfc3339Nano(TO)];
  const select = (t: string): string => `SELECT ${t} AS "time", floor(extract(epoch from ${t})/3600)*3600 AS bucket, count(*) AS n`;
  const ours = await binaryRows(
    { host: '127.0.0.1', port: fx.port, user: 'root', database: 'dev' },
    `${select('detected_at')} FROM siem_alerts WHERE detected_at BETWEEN $1 AND $2 GROUP BY 1 ORDER BY 1`,
    params,
  );
  await ensurePostgres();
  const values = FIXTURE.fixedAlerts.map((a) => `('${a.detectedAt}'::timestamptz)`).join(', ');
  const theirs = await binaryRows(oracleConnection(), `${select('t')} FROM (VALUES ${values}) v(t) WHERE t BETWEEN $1 AND $2 GROUP BY 1 ORDER BY 1`, params);
  assert.equal(ours.rows.length, FIXTURE.fixedAlerts.length);
  assert.deepEqual(ours, theirs);
});
