/**
 * The `sluice` command line: serve, demo, sql, status, --version. Thin: flags and environment → engine + server.
 * Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration (port in use, data dir locked, unwritable).
 */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { isMainThread, parentPort } from 'node:worker_threads';
import { createEngine, DEFAULT_RESIDENT_ROWS, type Engine } from '../engine/engine.js';
import { createLogger } from '../engine/log.js';
import { SLUICE_VERSION } from '../engine/catalog-functions.js';
import { startServer } from '../server/server.js';
import { DEMO_SOURCES, DEMO_VIEWS } from './demo-sql.js';

interface ServeOptions {
  host: string;
  port: string;
  dataDir?: string;
  epochMs: string;
  stateCacheRows: string;
  logFormat: 'text' | 'json';
  user?: string[];
  tlsCert?: string;
  tlsKey?: string;
  config?: string;
}

function serveOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1').env('SLUICE_HOST'))
    .addOption(new Option('--port <port>', 'PostgreSQL wire port').default('4566').env('SLUICE_PORT'))
    .addOption(new Option('--data-dir <dir>', 'directory for durable state (omit: in memory)').env('SLUICE_DATA_DIR'))
    .addOption(new Option('--epoch-ms <ms>', 'epoch length in milliseconds').default('100').env('SLUICE_EPOCH_MS'))
    .addOption(new Option('--state-cache-rows <n>', 'with --data-dir: groups/rows each view operator keeps in memory (the rest stays in LMDB)').default(String(DEFAULT_RESIDENT_ROWS)).env('SLUICE_STATE_CACHE_ROWS'))
    .addOption(new Option('--log-format <format>', 'text or json').choices(['text', 'json']).default('text').env('SLUICE_LOG_FORMAT'))
    .addOption(new Option('--user <name:password...>', 'enable SCRAM-SHA-256 password authentication for these users').env('SLUICE_USERS'))
    .addOption(new Option('--tls-cert <file>', 'PEM certificate (chain): accept TLS (sslmode=require) with --tls-key').env('SLUICE_TLS_CERT'))
    .addOption(new Option('--tls-key <file>', 'PEM private key of --tls-cert').env('SLUICE_TLS_KEY'))
    .addOption(new Option('--config <file>', 'JSON file with any of these options').env('SLUICE_CONFIG'));
}

async function start(opts: ServeOptions, cmd: Command): Promise<{ engine: Engine; port: number; close: () => Promise<void> }> {
  let fromFile: Partial<ServeOptions> = {};
  if (opts.config) {
    try {
      fromFile = JSON.parse(readFileSync(opts.config, 'utf8')) as Partial<ServeOptions>;
    } catch (e) {
      fail(`cannot read config file ${opts.config}: ${(e as Error).message}`);
    }
  }
  // Precedence: command-line flag or environment variable > config file > built-in default.
  const o: ServeOptions = { ...opts };
  for (const [k, v] of Object.entries(fromFile)) {
    const src = cmd.getOptionValueSource(k);
    if (src === undefined || src === 'default') (o as unknown as Record<string, unknown>)[k] = v;
  }
  const log = createLogger(o.logFormat);
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid port "${o.port}"`, 'Use a number between 0 and 65535.');
  const epochMs = Number(o.epochMs);
  if (!Number.isFinite(epochMs) || epochMs < 1 || epochMs > 60_000) fail(`invalid --epoch-ms "${o.epochMs}"`, 'Use a number of milliseconds between 1 and 60000.');
  const residentRows = Number(o.stateCacheRows);
  if (!Number.isInteger(residentRows) || residentRows < 1) fail(`invalid --state-cache-rows "${o.stateCacheRows}"`, 'Use a whole number of rows, at least 1.');
  const users: Record<string, string> = {};
  for (const u of [o.user ?? []].flat().flatMap((s) => String(s).split(','))) {
    const i = u.indexOf(':');
    if (i <= 0) fail(`invalid --user "${u}"`, 'Use name:password.');
    users[u.slice(0, i)] = u.slice(i + 1);
  }
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) fail('--tls-cert and --tls-key go together', 'Pass both PEM files, or neither for plaintext only.');
  const readPem = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (e) {
      fail(`cannot read the TLS ${what} ${file}: ${(e as Error).message}`);
    }
  };
  const tls = o.tlsCert !== undefined && o.tlsKey !== undefined ? { cert: readPem(o.tlsCert, 'certificate'), key: readPem(o.tlsKey, 'key') } : undefined;
  let engine: Engine;
  try {
    engine = await createEngine({ dataDir: o.dataDir ?? null, epochMs, residentRows, log });
  } catch (e) {
    fail(`cannot open the data directory: ${(e as Error).message}`, 'Check that the directory is writable and that no other sluice process uses it.');
  }
  let server: { port: number; close: () => Promise<void> };
  try {
    server = await startServer(engine, { host: o.host, port, users: Object.keys(users).length ? users : undefined, tls, log: (line) => log.info(line) });
  } catch (e) {
    await engine.close();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') fail(`port ${port} is already in use on ${o.host}`, 'Stop the other server or pass --port.');
    fail(`cannot listen on ${o.host}:${port}: ${err.message}`);
  }
  log.info('listening', { host: o.host, port: server.port, data_dir: o.dataDir ?? '(memory)', tls: tls ? 'on' : 'off' });
  return {
    engine,
    port: server.port,
    close: async () => {
      await server.close();
      await engine.close();
    },
  };
}

function fail(message: string, hint?: string): never {
  process.stderr.write(`sluice: ${message}\n${hint ? `hint: ${hint}\n` : ''}`);
  process.exit(2);
}

function onSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(1);
    stopping = true;
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  if (isMainThread) {
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } else {
    // In launch()'s worker thread, which gets no signals: the main thread forwards them as messages.
    parentPort!.on('message', (m: { signal?: string }) => {
      if (m.signal === 'SIGINT' || m.signal === 'SIGTERM') stop();
    });
  }
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program.name('sluice').description('A streaming SQL database for real-time detection, served over the PostgreSQL protocol.').version(SLUICE_VERSION, '-v, --version');

  serveOptions(program.command('serve').description('run the server').addHelpText('after', '\nExamples:\n  sluice serve\n  sluice serve --data-dir ./data --port 4566\n  SLUICE_USERS=alice:secret sluice serve')).action(async (opts: ServeOptions, cmd: Command) => {
    const s = await start(opts, cmd);
    onSignals(s.close);
  });

  serveOptions(program.command('demo').description('run the server with generated SIEM traffic and the article\'s views').addHelpText('after', '\nExamples:\n  sluice demo\n  sluice demo --port 5566 --data-dir ./demo-data\nThen: psql -h localhost -p 4566 -d dev -U root -c "SELECT * FROM siem_alerts"')).action(async (opts: ServeOptions, cmd: Command) => {
    const s = await start(opts, cmd);
    const session = s.engine.openSession({ user: 'root', database: 'dev' });
    for (const part of session.splitStatements(DEMO_SOURCES + DEMO_VIEWS)) await session.execute(part.sql);
    process.stdout.write(`sluice demo is running. Connect with:\n  psql -h localhost -p ${s.port} -d dev -U root\nand try:\n  SELECT * FROM siem_alerts ORDER BY detected_at DESC LIMIT 10;\n\n`);
    let lastEvents = 0;
    const timer = setInterval(async () => {
      const events = [...s.engine.sources.values()].reduce((n, x) => n + x.rowsIngested, 0);
      const r = await session.execute('SELECT alert_type, count(*) FROM siem_alerts GROUP BY alert_type ORDER BY 1');
      const counts = r.kind === 'rows' ? r.rows.map((row) => `${row[0]}=${row[1]}`).join(' ') : '';
      process.stdout.write(`events=${events} (+${Math.round((events - lastEvents) / 2)}/s) epoch=${s.engine.epoch} alerts: ${counts || 'none yet'}\n`);
      lastEvents = events;
    }, 2000);
    timer.unref();
    onSignals(async () => {
      clearInterval(timer);
      await s.close();
    });
  });

  program
    .command('sql')
    .description('run SQL against a running server and print the results')
    .addHelpText('after', '\nExamples:\n  sluice sql -c "SELECT * FROM siem_alerts LIMIT 5"\n  sluice sql --port 5566 -f views.sql')
    .option('-c, --command <sql>', 'SQL to run')
    .option('-f, --file <file>', 'file of SQL to run')
    .addOption(new Option('--host <host>').default('127.0.0.1').env('SLUICE_HOST'))
    .addOption(new Option('--port <port>').default('4566').env('SLUICE_PORT'))
    .action(async (o: { command?: string; file?: string; host: string; port: string }) => {
      const { runSql } = await import('./sql-client.js');
      const sql = o.command ?? (o.file ? readFileSync(o.file, 'utf8') : '');
      if (!sql) fail('nothing to run', 'Pass -c "SQL" or -f file.sql.');
      process.exitCode = await runSql(o.host, Number(o.port), sql);
    });

  program
    .command('replay <file>')
    .description('send a JSON-lines file (.jsonl or .jsonl.gz) to a Kafka topic, or print it, with original or rebased timestamps')
    .option('--topic <topic>', 'Kafka topic to produce to (omit: print the lines to stdout)')
    .option('--brokers <list>', 'bootstrap brokers, comma-separated', 'kafka:9092')
    .addOption(new Option('--timestamps <mode>', 'keep the recorded times or move them so the newest event is now').choices(['original', 'rebased']).default('original'))
    .option('--now <iso>', 'with rebased: the time the newest event moves to (default: now)')
    .option('--newest <iso>', 'with rebased: treat this as the newest event time (same shift for several files)')
    .option('--align <ms>', 'with rebased: round the shift down to a multiple of this many ms (keeps window alignment)')
    .option('--speed <factor>', 'replay in real time divided by this factor (omit: as fast as possible)')
    .option('--max-sleep-ms <ms>', 'cap on any one pause between events', '1000')
    .option('--time-fields <list>', 'timestamp fields to rebase', 'event_time,log_time')
    .addHelpText('after', '\nExamples:\n  sluice replay ../shared/siem-test-data/streams/A_ssh_bruteforce.auth_events.jsonl --topic auth_events --timestamps rebased\n  sluice replay events.jsonl.gz --topic firewall_logs --speed 10')
    .action(async (file: string, o: { topic?: string; brokers: string; timestamps: 'original' | 'rebased'; now?: string; newest?: string; align?: string; speed?: string; maxSleepMs: string; timeFields: string }) => {
      const { replay } = await import('./replay.js');
      process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));
      if (o.topic) {
        // Create the topic when missing (one partition), so the first events are not lost to auto-creation.
        const { Kafka, logLevel } = await import('kafkajs');
        const admin = new Kafka({ clientId: 'sluice-replay', brokers: o.brokers.split(',').map((b) => b.trim()), logLevel: logLevel.NOTHING }).admin();
        try {
          await admin.connect();
          if (!(await admin.listTopics()).includes(o.topic)) await admin.createTopics({ topics: [{ topic: o.topic, numPartitions: 1 }], waitForLeaders: true });
        } catch (e) {
          fail(`cannot reach Kafka at ${o.brokers}: ${(e as Error).message}`, 'Start a broker, or check --brokers.');
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      }
      const parseTime = (name: string, v: string | undefined): number | undefined => {
        if (v === undefined) return undefined;
        const t = Date.parse(v);
        if (Number.isNaN(t)) fail(`invalid --${name} "${v}"`, 'Use an ISO-8601 time such as 2026-01-01T00:00:00Z.');
        return t;
      };
      const r = await replay({
        file,
        topic: o.topic,
        brokers: o.brokers.split(',').map((b) => b.trim()),
        timestamps: o.timestamps,
        nowMs: parseTime('now', o.now),
        newestMs: parseTime('newest', o.newest),
        alignShiftMs: o.align === undefined ? undefined : Number(o.align),
        speed: o.speed === undefined ? undefined : Number(o.speed),
        maxSleepMs: Number(o.maxSleepMs),
        timeFields: o.timeFields.split(',').map((f) => f.trim()),
      });
      if (!o.topic) for (const row of r.rows) process.stdout.write(JSON.stringify(row) + '\n');
      else process.stderr.write(`sluice: replayed ${r.produced} events to ${o.topic}\n`);
    });

  program
    .command('status')
    .description('show sources, views, sinks and epochs of a running server')
    .addHelpText('after', '\nExamples:\n  sluice status\n  SLUICE_PORT=5566 sluice status')
    .addOption(new Option('--host <host>').default('127.0.0.1').env('SLUICE_HOST'))
    .addOption(new Option('--port <port>').default('4566').env('SLUICE_PORT'))
    .action(async (o: { host: string; port: string }) => {
      const { runSql } = await import('./sql-client.js');
      process.exitCode = await runSql(o.host, Number(o.port), 'SELECT * FROM sluice.sources; SELECT name, rows, state_entries, eval_errors FROM sluice.views; SELECT * FROM sluice.sinks; SELECT * FROM sluice.epochs;');
    });

  // Usage errors (unknown command or option, bad choice) exit 2, like other configuration errors; help and
  // --version exit 0.
  program.exitOverride((err) => {
    process.exit(err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2);
  });
  for (const c of program.commands) c.exitOverride((err) => process.exit(err.exitCode === 0 || err.code === 'commander.helpDisplayed' ? 0 : 2));
  await program.parseAsync(argv);
}
