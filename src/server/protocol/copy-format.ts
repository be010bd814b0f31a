/**
 * COPY TO STDOUT row formatting (pure): PostgreSQL's text format (delimiter, \N, backslash escapes) and CSV
 * format (quoting rules, HEADER). Input cells are already in text form (null = SQL NULL).
 * Invariant: each returned line ends with '\n' and parses back to the same cells under the same options.
 */

export interface CopyOptions {
  format: 'text' | 'csv';
  delimiter: string;
  nullString: string;
  /** CSV quote character (default '"'). */
  quote?: string;
}

function escapeText(s: string, delimiter: string): string {
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\v':
        out += '\\v';
        break;
      default:
        out += ch === delimiter ? '\\' + ch : ch;
    }
  }
  return out;
}

function quoteCsv(s: string, o: CopyOptions, singleColumn: boolean): string {
  const q = o.quote ?? '"';
  const needs =
    s === o.nullString || s.includes(o.delimiter) || s.includes(q) || s.includes('\n') || s.includes('\r') || (singleColumn && s === '\\.');
  if (!needs) return s;
  return q + s.split(q).join(q + q) + q;
}

/** One COPY line for a row of text cells. */
export function formatCopyLine(cells: readonly (string | null)[], o: CopyOptions): string {
  const parts: string[] = [];
  for (const c of cells) {
    if (c === null) parts.push(o.nullString);
    else parts.push(o.format === 'csv' ? quoteCsv(c, o, cells.length === 1) : escapeText(c, o.delimiter));
  }
  return parts.join(o.delimiter) + '\n';
}

/** The HEADER line: column names, formatted like a row of text values. */
export function formatCopyHeader(names: readonly string[], o: CopyOptions): string {
  return formatCopyLine(names, o);
}
