export type StackLogger = {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
};

/** Creates a JSON-lines logger for the local stack's own processes, written to stderr. */
export function createStackLogger(component: string, quiet = false): StackLogger {
  const write = (level: string, event: string, fields: Record<string, unknown> = {}) => {
    if (quiet && level === "info") return;
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, component, event, ...fields })}\n`);
  };

  return {
    info: (event, fields) => write("info", event, fields),
    warn: (event, fields) => write("warn", event, fields),
    error: (event, fields) => write("error", event, fields),
  };
}
