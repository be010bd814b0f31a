/**
 * Engine logging: one line per important event (listening, source connected, view created, recovery done).
 * Text by default, JSON lines with `format: 'json'`; 'silent' for tests. Stateless apart from its options.
 */
export type LogLevel = 'info' | 'warn' | 'error';

export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export function createLogger(format: 'text' | 'json' | 'silent' = 'text', out: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const emit = (level: LogLevel, event: string, fields: Record<string, unknown> = {}): void => {
    if (format === 'silent') return;
    const at = new Date().toISOString();
    if (format === 'json') {
      out(JSON.stringify({ at, level, event, ...fields }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
      return;
    }
    const rest = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`)
      .join(' ');
    out(`${at} ${level.toUpperCase().padEnd(5)} ${event}${rest ? ' ' + rest : ''}`);
  };
  return {
    info: (e, f) => emit('info', e, f),
    warn: (e, f) => emit('warn', e, f),
    error: (e, f) => emit('error', e, f),
  };
}
