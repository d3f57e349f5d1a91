/** One line of Dockyard's structured log: JSON with time, level, service and message, then any fields. */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type Log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

/**
 * A logger that writes one JSON object per line, to stdout (stderr for warnings and errors), for log shippers to
 * read as they are. An Error among the fields becomes its message and stack.
 */
export function jsonLogger(service: string, write = defaultWrite): Log {
  return (level, msg, fields = {}) => {
    const clean: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) {
      clean[key] = value instanceof Error ? { message: value.message, stack: value.stack } : value;
    }
    write(level, JSON.stringify({ time: new Date().toISOString(), level, service, msg, ...clean }));
  };
}

function defaultWrite(level: LogLevel, line: string): void {
  if (level === "warn" || level === "error") console.error(line);
  else console.log(line);
}
