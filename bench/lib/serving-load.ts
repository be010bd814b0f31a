/**
 * Client load for the serving benchmark: N concurrent node-postgres connections each running one named prepared
 * statement (extended protocol) in a closed loop for a fixed time; plus a bounded background writer (UPDATE of a
 * few random rows per tick). State: connections live only inside one call. Invariant: connections are opened and
 * every statement prepared (one warm-up execution per connection) before the clock starts; nothing is asserted.
 */
import pg from 'pg';

/** One named prepared statement and how to draw its parameters. */
export interface QuerySpec {
  label: string;
  name: string;
  text: string;
  params(rand: () => number): unknown[];
}

export interface LoadResult {
  concurrency: number;
  seconds: number;
  queries: number;
  errors: number;
  firstError: string | null;
  rowsReturned: number;
  /** Latency of every successful query, ms. */
  latMs: number[];
}

/** Deterministic xorshift32 in [0, 1), one per worker so runs repeat. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

async function connectAll(config: pg.ClientConfig, n: number): Promise<pg.Client[]> {
  const clients: pg.Client[] = [];
  for (let i = 0; i < n; i++) {
    const c = new pg.Client(config);
    await c.connect();
    clients.push(c);
  }
  return clients;
}

/** Run `spec` from `concurrency` connections for `seconds`; every connection prepares and runs it once first. */
export async function runLoad(config: pg.ClientConfig, spec: QuerySpec, concurrency: number, seconds: number, seed = 1): Promise<LoadResult> {
  const clients = await connectAll(config, concurrency);
  const res: LoadResult = { concurrency, seconds: 0, queries: 0, errors: 0, firstError: null, rowsReturned: 0, latMs: [] };
  try {
    const warm = rng(seed ^ 0x9e3779b9);
    await Promise.all(clients.map((c) => c.query({ name: spec.name, text: spec.text, values: spec.params(warm) })));
    const t0 = performance.now();
    const deadline = t0 + seconds * 1000;
    await Promise.all(
      clients.map(async (c, i) => {
        const rand = rng(seed * 7919 + i + 1);
        while (performance.now() < deadline) {
          const values = spec.params(rand);
          const q0 = performance.now();
          try {
            const r = await c.query({ name: spec.name, text: spec.text, values });
            res.latMs.push(performance.now() - q0);
            res.queries++;
            res.rowsReturned += r.rowCount ?? 0;
          } catch (err) {
            res.errors++;
            res.firstError ??= (err as Error).message;
            if (res.errors > 1000) return; // a broken target: stop this worker rather than spin
          }
        }
      }),
    );
    res.seconds = (performance.now() - t0) / 1000;
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
  return res;
}

export interface IngestResult {
  ticks: number;
  updates: number;
  errors: number;
  firstError: string | null;
  /** Latency of each tick's UPDATE statements together, ms. */
  tickMs: number[];
}

export interface Ingest {
  stop(): Promise<IngestResult>;
}

/**
 * Background writer on its own connection: every `intervalMs`, UPDATE `rowsPerTick` random rows of `table`
 * (risk := a new value in 0..99, so every row stays in the view). Bounded: stops after `maxTicks` or at stop().
 */
export async function startIngest(
  config: pg.ClientConfig,
  opts: { table: string; keys: number; keyOf: (i: number) => string; intervalMs: number; rowsPerTick: number; maxTicks: number; seed?: number },
): Promise<Ingest> {
  const client = new pg.Client(config);
  await client.connect();
  const rand = rng(opts.seed ?? 12345);
  const res: IngestResult = { ticks: 0, updates: 0, errors: 0, firstError: null, tickMs: [] };
  // `$1::int`: sluice types an untyped parameter assigned to an INT column as text (PostgreSQL infers int).
  const text = `UPDATE ${opts.table} SET risk = $1::int WHERE host_id = $2`;
  let stopped = false;
  const loop = (async () => {
    while (!stopped && res.ticks < opts.maxTicks) {
      const t0 = performance.now();
      for (let j = 0; j < opts.rowsPerTick; j++) {
        try {
          await client.query({ name: 'bench_update', text, values: [Math.floor(rand() * 100), opts.keyOf(Math.floor(rand() * opts.keys))] });
          res.updates++;
        } catch (err) {
          res.errors++;
          res.firstError ??= (err as Error).message;
        }
      }
      const took = performance.now() - t0;
      res.tickMs.push(took);
      res.ticks++;
      await new Promise((r) => setTimeout(r, Math.max(0, opts.intervalMs - took)));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await client.end().catch(() => undefined);
      return res;
    },
  };
}
