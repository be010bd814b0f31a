/**
 * The public surface of src/expr: what the binder (src/plan), the server and connectors import.
 * Stateless re-exports. Invariant: other layers import expr only through this file or text-io.ts.
 */
export { formatValueText, parseValueText, typeFromName, parseTypeName, pgTypeName, resolveTimeZone, requireTimeZone, type TypeSpec, type TimeZone } from './text-io.js';
export { castValue, castContext, canCoerceImplicitly, applyTypeModifier, localToUtc, utcToLocal, type CastContext } from './casts.js';
export { resolveFunction, resolveBinaryOperator, resolveUnaryOperator, callResolved, commonType, isDistinct, type EvalContext, type ResolvedFunction } from './functions.js';
export { resolveAggregate, isAggregateName, type ResolvedAggregate } from './aggregates.js';
export { compileLike, compileRegex } from './patterns.js';
export { comparatorFor } from './compare-ops.js';
export { formatFloat8, formatFloat4 } from './float-text.js';
export { formatIntervalText, parseIntervalText } from './interval-text.js';
export { formatJsonValue } from './jsonb-text.js';
export { numericDiv, intArith, floatArith, numericArith } from './arith.js';
export { addIntervals, intervalDiv, intervalMul, timestampPlusInterval, timestamptzPlusInterval, timestampDiff, dateTruncTimestamp, dateTruncTimestamptz } from './datetime-ops.js';
