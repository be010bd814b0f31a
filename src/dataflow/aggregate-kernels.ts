/**
 * Aggregate kernels: the incremental state of one aggregate function in one group, updated by weighted
 * argument values. Law per kernel: after any sequence of updates, result() equals the batch aggregate over the
 * multiset of values with their integrated weights (NULLs are skipped by the caller, except count_star).
 * State encodings (groups table): count n; sum/avg [sum, n, …]; bool [t, f]; value-based kernels keep a
 * ValueMultiset in the values table and encode null.
 */
import { SQLSTATE, SqlError } from '../common/errors.js';
import { compareValues } from '../common/compare.js';
import { Numeric } from '../common/numeric.js';
import type { Interval, SqlType, Value } from '../common/types.js';
import type { StateValue } from '../state/store.js';
import type { AggregateSpec } from './spec.js';
import { ValueMultiset } from './value-multiset.js';

export interface AggKernel<S = unknown> {
  /** True when the state is a ValueMultiset kept in the values table (one entry per distinct value). */
  readonly usesValues: boolean;
  /** True when the separator is part of a value's identity (string_agg). */
  readonly withSep: boolean;
  create(): S;
  update(s: S, value: Value, sep: Value, w: number, track: boolean): void;
  result(s: S): Value;
  encode(s: S): StateValue;
  decode(v: StateValue): S;
  /** The multiset of a value-based state, else null. */
  values(s: S): ValueMultiset | null;
  /** Rebuild derived fields after the multiset was loaded from the store. */
  afterLoad(s: S): void;
}

// ---------------------------------------------------------------- count

interface CountState {
  n: number;
}

/** 0n … 1023n, so that a count's result allocates no BigInt in the common case. */
const SMALL_BIGINTS: readonly bigint[] = Array.from({ length: 1024 }, (_, i) => BigInt(i));

/** COUNT(*) and COUNT(x): number of (non-NULL) rows; result bigint. */
class CountKernel implements AggKernel<CountState> {
  readonly usesValues = false;
  readonly withSep = false;
  create(): CountState {
    return { n: 0 };
  }
  update(s: CountState, _v: Value, _sep: Value, w: number): void {
    s.n += w;
  }
  result(s: CountState): Value {
    return s.n >= 0 && s.n < SMALL_BIGINTS.length ? SMALL_BIGINTS[s.n]! : BigInt(s.n);
  }
  encode(s: CountState): StateValue {
    return s.n;
  }
  decode(v: StateValue): CountState {
    return { n: v as number };
  }
  values(): null {
    return null;
  }
  afterLoad(): void {}
}

// ---------------------------------------------------------------- sum / avg

type SumMode = 'int' | 'bigint' | 'numeric' | 'float' | 'interval';

interface SumState {
  /** int: number (bigint once beyond 2^53); bigint: bigint; numeric: Numeric; float: finite part; interval: Interval. */
  sum: number | bigint | Numeric | Interval;
  /** Number of non-NULL values. */
  n: number;
  /** float: counts of +Infinity, −Infinity and NaN values, kept apart so they can be retracted exactly. */
  posInf: number;
  negInf: number;
  nan: number;
  /** numeric: multiplicity per input scale, so the result has the largest scale present (as PostgreSQL). */
  scales: Map<number, number> | null;
}

function sumModeOf(t: SqlType): SumMode {
  switch (t) {
    case 'smallint':
    case 'integer':
      return 'int';
    case 'bigint':
      return 'bigint';
    case 'numeric':
      return 'numeric';
    case 'real':
    case 'double precision':
      return 'float';
    case 'interval':
      return 'interval';
    default:
      throw new SqlError(SQLSTATE.undefined_function, `function sum(${t}) does not exist`);
  }
}

const ZERO_NUMERIC = new Numeric(0n, 0);

/** SUM(x) and AVG(x): exact for integers and numeric; float keeps ±Infinity/NaN counts apart. */
class SumKernel implements AggKernel<SumState> {
  readonly usesValues = false;
  readonly withSep = false;
  private readonly mode: SumMode;

  constructor(
    private readonly avg: boolean,
    inputType: SqlType,
    private readonly resultType: SqlType,
  ) {
    this.mode = sumModeOf(inputType);
    if (avg && this.mode === 'interval') throw new SqlError(SQLSTATE.feature_not_supported, 'avg(interval) is not supported in streaming aggregates');
  }

  create(): SumState {
    const m = this.mode;
    const sum = m === 'bigint' ? 0n : m === 'numeric' ? ZERO_NUMERIC : m === 'interval' ? { months: 0, days: 0, micros: 0 } : 0;
    return { sum, n: 0, posInf: 0, negInf: 0, nan: 0, scales: m === 'numeric' ? new Map() : null };
  }

  update(s: SumState, v: Value, _sep: Value, w: number): void {
    s.n += w;
    switch (this.mode) {
      case 'int': {
        const x = v as number;
        if (typeof s.sum === 'number') {
          const r = s.sum + x * w;
          s.sum = Number.isSafeInteger(r) ? r : BigInt(s.sum) + BigInt(x) * BigInt(w);
        } else s.sum = (s.sum as bigint) + BigInt(x) * BigInt(w);
        return;
      }
      case 'bigint': {
        const x = v as bigint;
        s.sum = w === 1 ? (s.sum as bigint) + x : w === -1 ? (s.sum as bigint) - x : (s.sum as bigint) + x * BigInt(w);
        return;
      }
      case 'numeric': {
        const x = v as Numeric;
        const term = w === 1 ? x : w === -1 ? x.negate() : x.mul(new Numeric(BigInt(w), 0));
        s.sum = (s.sum as Numeric).add(term);
        const scales = s.scales!;
        const c = (scales.get(x.scale) ?? 0) + w;
        if (c === 0) scales.delete(x.scale);
        else scales.set(x.scale, c);
        return;
      }
      case 'float': {
        const x = v as number;
        if (Number.isFinite(x)) s.sum = (s.sum as number) + x * w;
        else if (Number.isNaN(x)) s.nan += w;
        else if (x > 0) s.posInf += w;
        else s.negInf += w;
        return;
      }
      case 'interval': {
        const x = v as Interval;
        const a = s.sum as Interval;
        s.sum = { months: a.months + x.months * w, days: a.days + x.days * w, micros: a.micros + x.micros * w };
        return;
      }
    }
  }

  result(s: SumState): Value {
    if (s.n <= 0) return null;
    if (this.mode === 'float') {
      const total = s.nan > 0 || (s.posInf > 0 && s.negInf > 0) ? NaN : s.posInf > 0 ? Infinity : s.negInf > 0 ? -Infinity : (s.sum as number);
      return this.avg ? total / s.n : total;
    }
    if (this.mode === 'interval') return s.sum as Interval;
    if (this.avg) {
      const total = this.exactSum(s);
      if (this.resultType === 'double precision' || this.resultType === 'real') return total.toNumber() / s.n;
      return total.div(new Numeric(BigInt(s.n), 0));
    }
    switch (this.resultType) {
      case 'bigint':
        return typeof s.sum === 'bigint' ? s.sum : BigInt(s.sum as number);
      case 'numeric':
        return this.exactSum(s);
      case 'double precision':
      case 'real':
        return this.mode === 'numeric' ? (s.sum as Numeric).toNumber() : Number(s.sum as number | bigint);
      default:
        return typeof s.sum === 'bigint' ? Number(s.sum) : (s.sum as number);
    }
  }

  /** The sum as a Numeric with PostgreSQL's display scale (largest input scale present). */
  private exactSum(s: SumState): Numeric {
    if (this.mode === 'numeric') {
      let scale = 0;
      for (const [sc, c] of s.scales!) if (c > 0 && sc > scale) scale = sc;
      return (s.sum as Numeric).withScale(scale);
    }
    return new Numeric(typeof s.sum === 'bigint' ? s.sum : BigInt(s.sum as number), 0);
  }

  encode(s: SumState): StateValue {
    switch (this.mode) {
      case 'float':
        return [s.sum, s.n, s.posInf, s.negInf, s.nan];
      case 'numeric':
        return [s.sum, s.n, [...s.scales!]];
      default:
        return [s.sum, s.n];
    }
  }

  decode(v: StateValue): SumState {
    const a = v as unknown[];
    const s = this.create();
    s.sum = a[0] as SumState['sum'];
    s.n = a[1] as number;
    if (this.mode === 'float') {
      s.posInf = a[2] as number;
      s.negInf = a[3] as number;
      s.nan = a[4] as number;
    } else if (this.mode === 'numeric') s.scales = new Map(a[2] as [number, number][]);
    return s;
  }

  values(): null {
    return null;
  }
  afterLoad(): void {}
}

// ---------------------------------------------------------------- bool_and / bool_or

interface BoolState {
  t: number;
  f: number;
}

class BoolKernel implements AggKernel<BoolState> {
  readonly usesValues = false;
  readonly withSep = false;
  constructor(private readonly isAnd: boolean) {}
  create(): BoolState {
    return { t: 0, f: 0 };
  }
  update(s: BoolState, v: Value, _sep: Value, w: number): void {
    if (v === true) s.t += w;
    else s.f += w;
  }
  result(s: BoolState): Value {
    if (s.t <= 0 && s.f <= 0) return null;
    return this.isAnd ? s.f <= 0 : s.t > 0;
  }
  encode(s: BoolState): StateValue {
    return [s.t, s.f];
  }
  decode(v: StateValue): BoolState {
    const a = v as number[];
    return { t: a[0]!, f: a[1]! };
  }
  values(): null {
    return null;
  }
  afterLoad(): void {}
}

// ---------------------------------------------------------------- min / max

interface MinMaxState {
  vals: ValueMultiset;
  /** The current extreme value; undefined = unknown (recompute from vals). */
  best: Value | undefined;
}

/** MIN/MAX over an ordered multiset of values: correct under deletions; recomputes only when the extreme leaves. */
class MinMaxKernel implements AggKernel<MinMaxState> {
  readonly usesValues = true;
  readonly withSep = false;
  constructor(private readonly isMax: boolean) {}
  create(): MinMaxState {
    return { vals: new ValueMultiset(false), best: null };
  }
  update(s: MinMaxState, v: Value, _sep: Value, w: number, track: boolean): void {
    const old = s.vals.add(v, null, w, track);
    const now = old + w;
    if (old <= 0 && now > 0) {
      if (s.best === null) s.best = v;
      else if (s.best !== undefined && this.better(v, s.best)) s.best = v;
    } else if (old > 0 && now <= 0) {
      if (s.best !== undefined && s.best !== null && compareValues(v, s.best) === 0) s.best = undefined;
    }
  }
  private better(a: Value, b: Value): boolean {
    const c = compareValues(a, b);
    return this.isMax ? c > 0 : c < 0;
  }
  result(s: MinMaxState): Value {
    if (s.best === undefined) {
      let best: Value = null;
      for (const e of s.vals.entries()) {
        if (e.mult > 0 && (best === null || this.better(e.value, best))) best = e.value;
      }
      s.best = best;
    }
    return s.best;
  }
  encode(): StateValue {
    return null;
  }
  decode(): MinMaxState {
    return this.create();
  }
  values(s: MinMaxState): ValueMultiset {
    return s.vals;
  }
  afterLoad(s: MinMaxState): void {
    s.best = undefined;
  }
}

/**
 * MIN/MAX over an input that never retracts (spec.appendOnly: a source, through filters, projections, windows,
 * inner joins and UNION ALL): only the extreme value is kept, so the state is one value per group, not one
 * entry per distinct value. A retraction would be a planner bug and fails loudly.
 */
class AppendOnlyMinMaxKernel implements AggKernel<{ best: Value }> {
  readonly usesValues = false;
  readonly withSep = false;
  constructor(private readonly isMax: boolean) {}
  create(): { best: Value } {
    return { best: null };
  }
  update(s: { best: Value }, v: Value, _sep: Value, w: number): void {
    if (w < 0) throw new SqlError(SQLSTATE.internal_error, `append-only ${this.isMax ? 'max' : 'min'} received a retraction`);
    if (s.best === null) s.best = v;
    else {
      const c = compareValues(v, s.best);
      if (this.isMax ? c > 0 : c < 0) s.best = v;
    }
  }
  result(s: { best: Value }): Value {
    return s.best;
  }
  encode(s: { best: Value }): StateValue {
    return s.best;
  }
  decode(v: StateValue): { best: Value } {
    return { best: v as Value };
  }
  values(): null {
    return null;
  }
  afterLoad(): void {}
}

// ---------------------------------------------------------------- string_agg

interface StringAggState {
  vals: ValueMultiset;
}

/**
 * string_agg(x, sep): a Z-set has no input order, so values are concatenated in SQL order of (value, separator),
 * each repeated by its multiplicity (once with DISTINCT); each value after the first is preceded by its own
 * row's separator (a NULL separator adds nothing), as in PostgreSQL. Equals PG's
 * `string_agg(x, sep ORDER BY x, sep)`.
 */
class StringAggKernel implements AggKernel<StringAggState> {
  readonly usesValues = true;
  readonly withSep = true;
  constructor(private readonly distinct: boolean) {}
  create(): StringAggState {
    return { vals: new ValueMultiset(true) };
  }
  update(s: StringAggState, v: Value, sep: Value, w: number, track: boolean): void {
    s.vals.add(v, sep, w, track);
  }
  result(s: StringAggState): Value {
    const items: { value: Value; sep: Value; mult: number }[] = [];
    for (const e of s.vals.entries()) if (e.mult > 0) items.push(e);
    if (items.length === 0) return null;
    items.sort((a, b) => compareValues(a.value, b.value) || compareValues(a.sep, b.sep));
    let out = '';
    let first = true;
    for (const e of items) {
      const times = this.distinct ? 1 : e.mult;
      for (let i = 0; i < times; i++) {
        if (!first && e.sep !== null) out += String(e.sep);
        out += String(e.value);
        first = false;
      }
    }
    return out;
  }
  encode(): StateValue {
    return null;
  }
  decode(): StringAggState {
    return this.create();
  }
  values(s: StringAggState): ValueMultiset {
    return s.vals;
  }
  afterLoad(): void {}
}

// ---------------------------------------------------------------- DISTINCT wrapper

interface DistinctState {
  vals: ValueMultiset;
  inner: unknown;
}

/** agg(DISTINCT x): the inner kernel sees each value once, when its multiplicity becomes positive, and loses it
 *  when its multiplicity stops being positive. */
class DistinctKernel implements AggKernel<DistinctState> {
  readonly usesValues = true;
  readonly withSep = false;
  constructor(private readonly inner: AggKernel<unknown>) {}
  create(): DistinctState {
    return { vals: new ValueMultiset(false), inner: this.inner.create() };
  }
  update(s: DistinctState, v: Value, _sep: Value, w: number, track: boolean): void {
    const old = s.vals.add(v, null, w, track);
    const now = old + w;
    if (old <= 0 && now > 0) this.inner.update(s.inner, v, null, 1, false);
    else if (old > 0 && now <= 0) this.inner.update(s.inner, v, null, -1, false);
  }
  result(s: DistinctState): Value {
    return this.inner.result(s.inner);
  }
  encode(): StateValue {
    return null;
  }
  decode(): DistinctState {
    return this.create();
  }
  values(s: DistinctState): ValueMultiset {
    return s.vals;
  }
  afterLoad(s: DistinctState): void {
    s.inner = this.inner.create();
    for (const e of s.vals.entries()) if (e.mult > 0) this.inner.update(s.inner, e.value, null, 1, false);
  }
}

/** Forget a kernel's state type: the operator stores states opaquely and hands each back to its own kernel. */
function erase<S>(k: AggKernel<S>): AggKernel<unknown> {
  return k as unknown as AggKernel<unknown>;
}

/** The kernel for one AggregateSpec. Throws SqlError for an input type the function does not accept. */
export function kernelFor(spec: AggregateSpec): AggKernel<unknown> {
  switch (spec.fn) {
    case 'count_star':
      return erase(new CountKernel());
    case 'count':
      return spec.distinct ? erase(new DistinctKernel(erase(new CountKernel()))) : erase(new CountKernel());
    case 'sum':
    case 'avg': {
      const k = erase(new SumKernel(spec.fn === 'avg', spec.inputType, spec.resultType));
      return spec.distinct ? erase(new DistinctKernel(k)) : k;
    }
    case 'min':
    case 'max':
      return spec.appendOnly ? erase(new AppendOnlyMinMaxKernel(spec.fn === 'max')) : erase(new MinMaxKernel(spec.fn === 'max'));
    case 'bool_and':
    case 'bool_or':
      return erase(new BoolKernel(spec.fn === 'bool_and'));
    case 'string_agg':
      return erase(new StringAggKernel(spec.distinct));
    default: {
      const never: never = spec.fn;
      throw new SqlError(SQLSTATE.undefined_function, `unknown aggregate ${String(never)}`);
    }
  }
}
