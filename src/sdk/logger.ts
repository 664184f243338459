// The logger a connector gets: four levels, a message and optional structured fields. Anything that
// has these four methods fits (the hub's logger, console, pino), and every message goes out with the
// connector's secrets scrubbed, so a plugin cannot leak a token by logging a URL or an error.
import { REDACTED } from "./secrets.ts";

export interface ConnectorLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Any logger with the four methods, whatever its argument types. */
export interface LoggerLike {
  debug(...args: never[]): void;
  info(...args: never[]): void;
  warn(...args: never[]): void;
  error(...args: never[]): void;
}

export const silentLogger: ConnectorLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Secrets shorter than this are not scrubbed: replacing "1" everywhere would garble every line. */
const MIN_SCRUBBED_LENGTH = 4;

/** Wraps `target`: messages get `prefix`, and every occurrence of a secret value reads REDACTED. */
export function createConnectorLogger(
  target: LoggerLike,
  options: { prefix?: string; secrets?: string[] } = {},
): ConnectorLogger {
  const secrets = (options.secrets ?? []).filter((value) => value.length >= MIN_SCRUBBED_LENGTH);
  const scrub = (text: string) => secrets.reduce((out, value) => out.split(value).join(REDACTED), text);
  const scrubFields = (fields: Record<string, unknown> | undefined) =>
    fields === undefined || secrets.length === 0 ? fields : (JSON.parse(scrub(safeJson(fields))) as object);
  const at =
    (level: keyof ConnectorLogger) =>
    (message: string, fields?: Record<string, unknown>): void => {
      const line = scrub(options.prefix ? `${options.prefix} ${message}` : message);
      const write = target[level] as (...args: unknown[]) => void;
      const scrubbed = scrubFields(fields);
      if (scrubbed === undefined) write.call(target, line);
      else write.call(target, line, scrubbed);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, inner) =>
      inner instanceof Error ? { name: inner.name, message: inner.message } : inner,
    );
  } catch {
    return JSON.stringify({ unserializable: String(value) });
  }
}
