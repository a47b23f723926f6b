/**
 * A small structured logger: one line per event on stderr, level first.
 * Kept local (no dependency) because the server logs little on the hot
 * path; the interface matches pino's so it can be swapped in.
 */

/** Where the server writes its log lines. */
export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

function render(fields: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const text = typeof value === 'bigint' ? `0x${value.toString(16)}` : value instanceof Error ? value.message : String(value);
    parts.push(`${key}=${text}`);
  }
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`;
}

/** Logs to stderr with ISO timestamps. */
export function createLogger(options: { quiet?: boolean } = {}): Logger {
  const write = (level: string, fields: Record<string, unknown>, message: string): void => {
    if (options.quiet === true && level === 'INFO') return;
    process.stderr.write(`${new Date().toISOString()} ${level} ${message}${render(fields)}\n`);
  };
  return {
    info: (fields, message) => write('INFO', fields, message),
    warn: (fields, message) => write('WARN', fields, message),
    error: (fields, message) => write('ERROR', fields, message),
  };
}
