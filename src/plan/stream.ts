/**
 * The stream planner: LogicalPlan → DataflowSpec (NodeSpec[] with compiled closures). The same translation
 * serves views (mode 'stream', scans read the shared input/materialize nodes of sources, tables and views) and
 * ad-hoc queries (mode 'batch', every scan becomes a fresh input node fed with the relation's committed rows).
 * Invariant: node ids are `${prefix}${n}` in a deterministic pre-order, so re-planning the same definition after a
 * restart yields the same ids and the operators find their state again.
 */
import { SqlError, SQLSTATE } from '../common/errors.js';
import { MICROS_PER_DAY, type Interval, type Row, type Value } from '../common/types.js';
import type { AggregateSpec, NodeId, NodeSpec, PredFn, RowFn } from '../dataflow/spec.js';
import { resolveBinaryOperator, type EvalContext } from '../expr/functions.js';
import { compile, compilePredicate, exprText, columnsUsed, shiftColumns, type BoundExpr, type CompileOptions } from './bound.js';
import type { LogicalPlan, RelationRef, TemporalBound } from './logical.js';

export interface StreamPlanOptions {
  /** Node id prefix, unique per view (e.g. 'mv:brute_force_detections/'). */
  prefix: string;
  ctx: EvalContext;
  /** Existing node that provides a relation's changes (stream mode), or null to create an input node (batch). */
  inputFor: (ref: RelationRef) => NodeId | null;
  /** Run-time evaluation error policy: report and use NULL. */
  onError?: (e: unknown) => Value;
  params?: readonly Value[];
  /** For plans of correlated subqueries: the outer row's values, and how to compile nested subqueries. */
  outerValues?: Value[];
  subquery?: CompileOptions['subquery'];
  /** Also compute StreamPlan.fingerprints (ALTER MATERIALIZED VIEW only: it costs a serialization per node). */
  fingerprints?: boolean;
}

export interface StreamPlan {
  nodes: NodeSpec[];
  output: NodeId;
  /** Input nodes created for scans (batch) or constant VALUES, with what to push into them. */
  inputs: { id: NodeId; relation: RelationRef | null; rows: Row[] | null }[];
  /**
   * With `fingerprints` in the options (else empty), per planned node (input nodes of VALUES/table functions aside): a structural text of the logical subtree it
   * computes (expressions by column index, types, literals, relation OIDs). Equal fingerprints ⇔ the same
   * operator over the same inputs; ALTER MATERIALIZED VIEW reuses operator state by it.
   */
  fingerprints: Map<NodeId, string>;
  /** With `fingerprints`: per aggregate node with a fused HAVING, the fingerprint of the aggregate without it
   *  (ALTER keeps such an aggregate's state when only its HAVING changes). */
  havingFreeFingerprints: Map<NodeId, string>;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export function planDataflow(plan: LogicalPlan, opts: StreamPlanOptions): StreamPlan {
  const nodes: NodeSpec[] = [];
  const inputs: StreamPlan['inputs'] = [];
  let counter = 0;
  const copts: CompileOptions = { ctx: opts.ctx, onError: opts.onError, params: opts.params, outerValues: opts.outerValues, subquery: opts.subquery };
  const fn = (e: BoundExpr): RowFn => compile(e, copts);
  const pred = (e: BoundExpr): PredFn => compilePredicate(e, copts);
  const add = (spec: WithoutId<NodeSpec>): NodeId => {
    const id = `${opts.prefix}${counter++}`;
    nodes.push({ ...spec, id } as NodeSpec);
    return id;
  };

  const fingerprints = new Map<NodeId, string>();
  const havingFreeFingerprints = new Map<NodeId, string>();
  const visit = (p: LogicalPlan): NodeId => {
    const before = nodes.length;
    const id = visitNode(p);
    if (opts.fingerprints && nodes.length > before && !fingerprints.has(id)) fingerprints.set(id, planFingerprint(p));
    return id;
  };
  const aggregateNode = (p: Extract<LogicalPlan, { kind: 'aggregate' }>, having: BoundExpr | undefined): NodeId => {
    const input = visit(p.input);
    const inNames = p.input.columns.map((c) => c.name);
    const inputAppendOnly = appendOnly(p.input);
    const aggregates: AggregateSpec[] = p.aggregates.map((a) => ({
      fn: a.fn,
      arg: a.args[0] ? fn(a.args[0]) : undefined,
      separator: a.args[1] ? fn(a.args[1]) : undefined,
      distinct: a.distinct,
      filter: a.filter ? pred(a.filter) : undefined,
      inputType: a.args[0]?.type ?? 'bigint',
      resultType: a.type,
      ...(inputAppendOnly && (a.fn === 'min' || a.fn === 'max') ? { appendOnly: true } : {}),
    }));
    const havingText = having === undefined ? '' : ` having ${exprText(having, p.columns.map((c) => c.name))}`;
    const label = `Aggregate group by [${p.groupBy.map((g) => exprText(g, inNames)).join(', ')}] compute [${p.aggregates.map((a) => a.display).join(', ')}]${havingText}${aggregates.some((a) => a.appendOnly) ? ' (append-only input: min/max keep one value)' : ''}`;
    return add({ kind: 'aggregate', input, groupKey: p.groupBy.map(fn), aggregates, global: p.groupBy.length === 0, ...(having === undefined ? {} : { having: pred(having) }), label });
  };
  const visitNode = (p: LogicalPlan): NodeId => {
    const names = (q: LogicalPlan): string[] => q.columns.map((c) => c.name);
    switch (p.kind) {
      case 'scan': {
        const existing = opts.inputFor(p.relation);
        if (existing) return existing;
        const id = add({ kind: 'input', arity: p.columns.length, label: `Scan ${p.relation.name}` });
        inputs.push({ id, relation: p.relation, rows: null });
        return id;
      }
      case 'values': {
        const rows = p.rows.map((r) => r.map((e) => compile(e, copts)([])));
        const id = add({ kind: 'input', arity: p.columns.length, label: `Values (${rows.length} rows)` });
        inputs.push({ id, relation: null, rows });
        return id;
      }
      case 'table_function': {
        const input = add({ kind: 'input', arity: 0, label: `TableFunction ${p.fn} (one row)` });
        inputs.push({ id: input, relation: null, rows: [[]] });
        const args = p.args.map(fn);
        return add({ kind: 'flatMap', input, fn: tableFunction(p.fn, args), label: `TableFunction ${p.fn}` });
      }
      case 'project': {
        const input = visit(p.input);
        if (p.exprs.every((e, i) => e.kind === 'column' && e.index === i) && p.exprs.length === p.input.columns.length) return input;
        const inNames = names(p.input);
        return add({ kind: 'map', input, fns: p.exprs.map(fn), label: `Project ${p.exprs.map((e, i) => `${exprText(e, inNames)} AS ${p.columns[i]!.name}`).join(', ')}` });
      }
      case 'filter': {
        if (p.input.kind === 'aggregate') {
          // HAVING (or any filter right over an aggregate) runs inside the aggregate, so a group that fails it keeps
          // no output row. The filter's node id stays reserved: the nodes above keep the ids (and so the state
          // tables) they have in the unfused plan.
          const id = aggregateNode(p.input, p.predicate);
          counter++;
          if (opts.fingerprints) havingFreeFingerprints.set(id, planFingerprint(p.input));
          return id;
        }
        const input = visit(p.input);
        return add({ kind: 'filter', input, pred: pred(p.predicate), label: `Filter ${exprText(p.predicate, names(p.input))}` });
      }
      case 'temporal_filter': {
        const input = visit(p.input);
        return add({ kind: 'temporalFilter', input, validity: temporalValidity(p.bounds, copts), label: `TemporalFilter ${p.bounds.map((b) => b.display).join(' AND ')}` });
      }
      case 'window': {
        const input = visit(p.input);
        const ti = p.timeIndex;
        const isDate = p.input.columns[ti]!.type === 'date';
        const size = spanMicros(p.size);
        const slide = spanMicros(p.slide);
        const offset = spanMicros(p.offset);
        const shift = offset !== 0 ? ` offset ${fmtSpan(offset)}` : '';
        const label = p.fn === 'tumble' ? `Tumble ${p.input.columns[ti]!.name} size ${fmtSpan(size)}${shift}` : `Hop ${p.input.columns[ti]!.name} slide ${fmtSpan(slide)} size ${fmtSpan(size)}${shift}`;
        const one: Row[] = [[]]; // TUMBLE's one output row per input row, in an array reused per call (see NodeSpec flatMap)
        const windowFn =
          p.fn === 'tumble'
            ? (row: Row): Row[] => {
                const v = row[ti];
                if (v === null || v === undefined) one[0] = [...row, null, null];
                else {
                  const t = isDate ? (v as number) * MICROS_PER_DAY : (v as number);
                  const start = Math.floor((t - offset) / size) * size + offset;
                  one[0] = [...row, start, start + size];
                }
                return one;
              }
            : (row: Row): Row[] => {
                const v = row[ti];
                if (v === null || v === undefined) return [];
                const t = isDate ? (v as number) * MICROS_PER_DAY : (v as number);
                const out: Row[] = [];
                const last = Math.floor((t - offset) / slide) * slide + offset;
                for (let start = last; start > t - size; start -= slide) out.push([...row, start, start + size]);
                return out.reverse();
              };
        return add({ kind: 'flatMap', input, fn: windowFn, label });
      }
      case 'aggregate':
        return aggregateNode(p, undefined);
      case 'distinct': {
        const input = visit(p.input);
        return add({ kind: 'distinct', input, label: 'Distinct' });
      }
      case 'union': {
        const ins = p.inputs.map(visit);
        return add({ kind: 'union', inputs: ins, label: `Union all (${ins.length} inputs)` });
      }
      case 'join': {
        const left = visit(p.left);
        const right = visit(p.right);
        const la = p.left.columns.length;
        const ra = p.right.columns.length;
        const { leftKeys, rightKeys, residual } = splitJoinCondition(p.condition, la);
        const allNames = [...names(p.left), ...names(p.right)];
        const label = `${joinLabel(p.joinType)} on [${leftKeys.map((k, i) => `${exprText(k, names(p.left))} = ${exprText(rightKeys[i]!, names(p.right))}`).join(', ')}]${residual ? ` residual ${exprText(residual, allNames)}` : ''}`;
        return add({
          kind: 'join',
          left,
          right,
          joinType: p.joinType,
          leftKey: leftKeys.map(fn),
          rightKey: rightKeys.map(fn),
          residual: residual ? pred(residual) : undefined,
          leftArity: la,
          rightArity: ra,
          label,
        });
      }
      case 'sort':
        // Row order means nothing inside a Z-set; ORDER BY only matters with LIMIT (top-N) or at the top of a query.
        return visit(p.input);
      case 'limit': {
        const sorted = p.input.kind === 'sort' ? p.input : null;
        const input = visit(sorted ? sorted.input : p.input);
        const orderBy = (sorted?.keys ?? []).map((k) => ({ fn: fn(k.expr), desc: k.desc, nullsFirst: k.nullsFirst }));
        const limit = p.limit ?? Number.MAX_SAFE_INTEGER;
        return add({ kind: 'topN', input, orderBy, limit, offset: p.offset, label: `TopN limit ${p.limit ?? 'ALL'} offset ${p.offset}${sorted ? ` order by [${sorted.keys.map((k) => exprText(k.expr, names(sorted.input)) + (k.desc ? ' DESC' : '') + (k.nullsFirst !== k.desc ? (k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : '')).join(', ')}]` : ''}` });
      }
    }
  };

  const output = visit(plan);
  return { nodes, output, inputs, fingerprints, havingFreeFingerprints };
}

/** Structural text of a logical subtree (see StreamPlan.fingerprints); unique when it cannot be serialized. */
function planFingerprint(p: LogicalPlan): string {
  try {
    return JSON.stringify(p, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'function' ? `fn:${(v as { name?: string }).name ?? ''}` : v));
  } catch {
    return `unserializable:${Math.random()}`;
  }
}

function joinLabel(t: string): string {
  return { inner: 'InnerJoin', left: 'LeftOuterJoin', right: 'RightOuterJoin', full: 'FullOuterJoin', semi: 'SemiJoin', anti: 'AntiJoin' }[t] ?? 'Join';
}

/** Split a join condition into equi-key pairs (left expr = right expr) and a residual predicate. */
function splitJoinCondition(cond: BoundExpr | null, leftArity: number): { leftKeys: BoundExpr[]; rightKeys: BoundExpr[]; residual: BoundExpr | null } {
  const leftKeys: BoundExpr[] = [];
  const rightKeys: BoundExpr[] = [];
  const rest: BoundExpr[] = [];
  const conj = cond === null ? [] : cond.kind === 'and' ? cond.args : [cond];
  const side = (e: BoundExpr): 'left' | 'right' | 'both' | 'none' => {
    const used = [...columnsUsed(e)];
    if (used.length === 0) return 'none';
    if (used.every((i) => i < leftArity)) return 'left';
    if (used.every((i) => i >= leftArity)) return 'right';
    return 'both';
  };
  for (const c of conj) {
    if (c.kind === 'call' && c.fn.name === '=' && c.args.length === 2) {
      const [a, b] = c.args as [BoundExpr, BoundExpr];
      const sa = side(a);
      const sb = side(b);
      if (sa === 'left' && sb === 'right') {
        leftKeys.push(a);
        rightKeys.push(shiftColumns(b, -leftArity));
        continue;
      }
      if (sa === 'right' && sb === 'left') {
        leftKeys.push(b);
        rightKeys.push(shiftColumns(a, -leftArity));
        continue;
      }
    }
    rest.push(c);
  }
  const residual = rest.length === 0 ? null : rest.length === 1 ? rest[0]! : ({ kind: 'and', args: rest, type: 'boolean' } as BoundExpr);
  return { leftKeys, rightKeys, residual };
}

export function spanMicros(i: Interval): number {
  return i.days * MICROS_PER_DAY + i.micros + i.months * 30 * MICROS_PER_DAY;
}

function fmtSpan(us: number): string {
  if (us % 3_600_000_000 === 0) return `${us / 3_600_000_000}h`;
  if (us % 60_000_000 === 0) return `${us / 60_000_000}m`;
  if (us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  return `${us}us`;
}

/**
 * The validity interval [from, until) of a row under `time <op> now() + offset` bounds:
 * time > now+o ⇔ now < time−o (until = time−o); time >= now+o ⇔ until = time−o+1;
 * time < now+o ⇔ now > time−o (from = time−o+1); time <= now+o ⇔ from = time−o; = gives both.
 */
function temporalValidity(bounds: TemporalBound[], copts: CompileOptions): (row: Row) => { from: number; until: number } | null {
  const parts = bounds.map((b) => {
    const time = compile(b.time, copts);
    const isDate = b.time.type === 'date';
    const minus = b.offset && (b.offset.months !== 0) ? resolveBinaryOperator('-', 'timestamptz', 'interval') : null;
    const fixed = b.offset && b.offset.months === 0 ? b.offset.days * MICROS_PER_DAY + b.offset.micros : 0;
    const offset = b.offset;
    const shifted = (t: number): number => (minus && offset ? (minus.impl([t, offset], copts.ctx) as number) : t - fixed);
    return { time, isDate, op: b.op, shifted };
  });
  return (row) => {
    let from = -Infinity;
    let until = Infinity;
    for (const p of parts) {
      const v = p.time(row);
      if (v === null) return null;
      const t = p.shifted(p.isDate ? (v as number) * MICROS_PER_DAY : (v as number));
      switch (p.op) {
        case '>':
          until = Math.min(until, t);
          break;
        case '>=':
          until = Math.min(until, t + 1);
          break;
        case '<':
          from = Math.max(from, t + 1);
          break;
        case '<=':
          from = Math.max(from, t);
          break;
        case '=':
          from = Math.max(from, t);
          until = Math.min(until, t + 1);
          break;
      }
    }
    return from < until ? { from, until } : null;
  };
}

export function assertStreamable(plan: LogicalPlan): void {
  if (plan.kind === 'sort') throw new SqlError(SQLSTATE.feature_not_supported, 'ORDER BY without LIMIT has no effect in a materialized view');
}

/** Rows of a set-returning function, from its argument closures (evaluated per run, so outer references work). */
function tableFunction(name: 'unnest' | 'generate_series' | 'pg_options_to_table', args: RowFn[]): (row: Row) => Row[] {
  return (row) => {
    const vals = args.map((a) => a(row));
    if (vals.some((v) => v === null)) return [];
    switch (name) {
      case 'unnest':
        return parseArrayElements(String(vals[0])).map((x) => [x]);
      case 'pg_options_to_table':
        return parseArrayElements(String(vals[0])).map((x) => {
          const s = x ?? '';
          const i = s.indexOf('=');
          return i < 0 ? [s, null] : [s.slice(0, i), s.slice(i + 1)];
        });
      case 'generate_series': {
        const [a, b, step] = vals.map((v) => Number(v as number | bigint));
        const st = step ?? 1;
        if (st === 0) throw new SqlError(SQLSTATE.invalid_parameter_value, 'step size cannot equal zero');
        const out: Row[] = [];
        const big = typeof vals[0] === 'bigint';
        for (let x = a!; st > 0 ? x <= b! : x >= b!; x += st) {
          out.push([big ? BigInt(x) : x]);
          if (out.length > 10_000_000) throw new SqlError(SQLSTATE.program_limit_exceeded, 'generate_series produced too many rows');
        }
        return out;
      }
    }
  };
}

/** Elements of PostgreSQL array text ('{a,"b c",NULL}'); sluice carries arrays as text. */
export function parseArrayElements(text: string): (string | null)[] {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return [t];
  const body = t.slice(1, -1);
  const out: (string | null)[] = [];
  let i = 0;
  while (i < body.length) {
    if (body[i] === '"') {
      let s = '';
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        s += body[i++] ?? '';
      }
      i++;
      out.push(s);
    } else {
      let j = body.indexOf(',', i);
      if (j < 0) j = body.length;
      const s = body.slice(i, j).trim();
      out.push(s.toUpperCase() === 'NULL' ? null : s);
      i = j;
    }
    if (body[i] === ',') i++;
  }
  return out;
}

/**
 * True when the plan's output, as a stream, only ever inserts rows: it reads sources (never tables or views,
 * whose rows can be updated or deleted) through operators that cannot retract what they emitted.
 */
export function appendOnly(p: LogicalPlan): boolean {
  switch (p.kind) {
    case 'scan':
      return p.relation.kind === 'source';
    case 'values':
    case 'table_function':
      return true;
    case 'project':
    case 'filter':
    case 'window':
    case 'distinct':
      return appendOnly(p.input);
    case 'union':
      return p.inputs.every(appendOnly);
    case 'join':
      return p.joinType === 'inner' && appendOnly(p.left) && appendOnly(p.right);
    case 'temporal_filter':
    case 'aggregate':
    case 'sort':
    case 'limit':
      return false;
  }
}
