/**
 * PostgreSQL's overload resolution (func_select_candidate / oper_select_candidate) and UNION/CASE type
 * resolution (select_common_type) over sluice's types. Stateless.
 * Invariant: a chosen candidate accepts every input type by identity or an implicit cast; ties that
 * PostgreSQL calls ambiguous are ambiguous here too (null is returned and the caller raises 42725).
 */
import type { SqlType } from '../common/types.js';
import { SqlError } from '../common/errors.js';
import { castContext } from './casts.js';
import { pgTypeName } from './type-names.js';

/** A declared argument type: a SqlType or a polymorphic pseudo-type ('any' = each argument on its own). */
export type ArgType = SqlType | 'anynonarray' | 'anyelement' | 'any';

export function isPolymorphic(t: ArgType): t is 'anynonarray' | 'anyelement' | 'any' {
  return t === 'anynonarray' || t === 'anyelement' || t === 'any';
}

/** pg_type.typcategory */
export function typeCategory(t: ArgType): string {
  switch (t) {
    case 'boolean':
      return 'B';
    case 'smallint':
    case 'integer':
    case 'bigint':
    case 'real':
    case 'double precision':
    case 'numeric':
      return 'N';
    case 'varchar':
    case 'text':
      return 'S';
    case 'timestamp':
    case 'timestamptz':
    case 'date':
      return 'D';
    case 'interval':
      return 'T';
    case 'jsonb':
      return 'U';
    case 'unknown':
      return 'X';
    default:
      return 'P';
  }
}

/** pg_type.typispreferred */
export function isPreferredType(t: ArgType): boolean {
  return t === 'double precision' || t === 'text' || t === 'timestamptz' || t === 'interval' || t === 'boolean';
}

function isPreferredIn(category: string, t: ArgType): boolean {
  return isPreferredType(t) && typeCategory(t) === category;
}

/** can_coerce_type with COERCION_IMPLICIT for one argument. */
export function canCoerceArg(input: SqlType, declared: ArgType): boolean {
  if (isPolymorphic(declared)) return true;
  return input === declared || input === 'unknown' || castContext(input, declared) === 'implicit';
}

export interface Candidate {
  /** Declared argument types, already expanded to the number of inputs for variadic functions. */
  readonly args: readonly ArgType[];
}

/** Chooses among candidates that all accept the inputs implicitly; null when ambiguous. */
export function selectCandidate<C extends Candidate>(inputs: readonly SqlType[], candidates: readonly C[]): C | null {
  let current = candidates.slice();
  if (current.length <= 1) return current[0] ?? null;
  const n = inputs.length;
  // 1. most exact matches on known inputs
  current = keepMax(current, (c) => count(n, (i) => inputs[i] !== 'unknown' && c.args[i] === inputs[i]));
  if (current.length === 1) return current[0]!;
  // 2. most exact-or-preferred (in the input's category) matches on known inputs
  current = keepMax(current, (c) =>
    count(n, (i) => inputs[i] !== 'unknown' && (c.args[i] === inputs[i] || isPreferredIn(typeCategory(inputs[i]!), c.args[i]!))),
  );
  if (current.length === 1) return current[0]!;
  // 3. unknown inputs: pick the category the candidates accept there, preferring string
  if (inputs.includes('unknown')) {
    const slotCategory: (string | null)[] = [];
    const slotPreferred: boolean[] = [];
    let resolved = true;
    for (let i = 0; i < n && resolved; i++) {
      if (inputs[i] !== 'unknown') continue;
      let cat: string | null = null;
      let pref = false;
      let conflict = false;
      for (const c of current) {
        const t = c.args[i]!;
        const tc = typeCategory(t);
        const tp = isPreferredIn(tc, t);
        if (cat === null) {
          cat = tc;
          pref = tp;
        } else if (tc === cat) {
          pref = pref || tp;
        } else if (tc === 'S') {
          cat = 'S';
          pref = tp;
        } else if (cat !== 'S') {
          conflict = true;
        }
      }
      if (conflict && cat !== 'S') resolved = false;
      slotCategory[i] = cat;
      slotPreferred[i] = pref;
    }
    if (resolved) {
      const kept = current.filter((c) => {
        for (let i = 0; i < n; i++) {
          if (inputs[i] !== 'unknown') continue;
          const t = c.args[i]!;
          if (typeCategory(t) !== slotCategory[i]) return false;
          if (slotPreferred[i] && !isPreferredIn(typeCategory(t), t)) return false;
        }
        return true;
      });
      if (kept.length === 1) return kept[0]!;
      if (kept.length > 0) current = kept;
    }
  }
  // 4. all known inputs share one type: assume the unknowns have it too
  const known = inputs.filter((t) => t !== 'unknown');
  if (known.length > 0 && known.length < n && known.every((t) => t === known[0])) {
    const assumed = known[0]!;
    const kept = current.filter((c) => c.args.every((a, i) => inputs[i] !== 'unknown' || canCoerceArg(assumed, a)));
    if (kept.length === 1) return kept[0]!;
  }
  return null;
}

function count(n: number, pred: (i: number) => boolean): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (pred(i)) k++;
  return k;
}

function keepMax<C>(items: C[], score: (c: C) => number): C[] {
  let best = -1;
  let out: C[] = [];
  for (const c of items) {
    const s = score(c);
    if (s > best) {
      best = s;
      out = [c];
    } else if (s === best) out.push(c);
  }
  return out;
}

/**
 * select_common_type: the type CASE/COALESCE/UNION/IN/GREATEST branches are cast to. All unknown → text.
 * `context` names the construct in the 42804 message: 'CASE', 'UNION', 'COALESCE', 'IN', 'GREATEST' ….
 */
export function commonType(types: readonly SqlType[], context: string): SqlType {
  let ptype: SqlType | null = null;
  for (const t of types) {
    if (t === 'unknown') continue;
    if (ptype === null) {
      ptype = t;
      continue;
    }
    if (t === ptype) continue;
    const pcat = typeCategory(ptype);
    if (typeCategory(t) !== pcat) {
      throw new SqlError('42804', `${context} types ${pgTypeName(ptype)} and ${pgTypeName(t)} cannot be matched`);
    }
    if (!isPreferredType(ptype) && castContext(ptype, t) === 'implicit' && castContext(t, ptype) !== 'implicit') ptype = t;
  }
  if (ptype === null) return 'text';
  for (const t of types) {
    if (t !== 'unknown' && t !== ptype && castContext(t, ptype) !== 'implicit') {
      throw new SqlError('42804', `${context} could not convert type ${pgTypeName(t)} to ${pgTypeName(ptype)}`);
    }
  }
  return ptype;
}
