// A small leveled logger writing one line per event to stderr, shaped to plug into yoga's `logging`.
import type { LogLevel } from "./config.ts";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export function createLogger(level: LogLevel): Logger {
  const at = (wanted: Exclude<LogLevel, "silent">) =>
    ORDER[wanted] >= ORDER[level]
      ? (...args: unknown[]) => console.error(`${new Date().toISOString()} ${wanted.padEnd(5)}`, ...args)
      : () => {};
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
