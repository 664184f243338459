// The logger a connector gets: four levels, a message and optional structured fields. Anything that
// has these four methods fits (the hub's logger, console, pino). The connector's secret values are
// redacted before a line leaves: in the message and in every value of the fields, walked as values
// (strings, numbers, errors, arrays, objects), never as serialized text, so a plugin cannot leak a
// token by logging a URL or an error, and no value can make the logger throw.
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

/** Secrets shorter than this are not redacted inside text: replacing "1" everywhere would garble every line. */
const MIN_SCRUBBED_LENGTH = 4;

/** Fields nested deeper than this are cut: a log line is not a place for a whole object graph. */
const MAX_DEPTH = 8;

/** Wraps `target`: messages get `prefix`, and every secret value reads REDACTED. */
export function createConnectorLogger(
  target: LoggerLike,
  options: { prefix?: string; secrets?: string[] } = {},
): ConnectorLogger {
  const redact = createValueRedactor(options.secrets ?? []);
  const at =
    (level: keyof ConnectorLogger) =>
    (message: string, fields?: Record<string, unknown>): void => {
      const line = redact.text(options.prefix ? `${options.prefix} ${message}` : message);
      const write = target[level] as (...args: unknown[]) => void;
      if (fields === undefined) write.call(target, line);
      else write.call(target, line, redact.value(fields));
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export interface ValueRedactor {
  /** The text with every occurrence of a secret replaced. */
  text(value: string): string;
  /** A copy of the value in which no secret appears: strings redacted inside, a number equal to a secret replaced. */
  value(value: unknown): unknown;
}

/** Redacts known secret values from log values; it copies, never mutates, and never throws. */
export function createValueRedactor(secrets: string[]): ValueRedactor {
  const inText = [...new Set(secrets)]
    .filter((secret) => secret.length >= MIN_SCRUBBED_LENGTH)
    // Longest first: a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  const whole = new Set(secrets.filter((secret) => secret !== ""));
  const text = (value: string) =>
    whole.has(value) ? REDACTED : inText.reduce((out, secret) => out.split(secret).join(REDACTED), value);

  const walk = (value: unknown, depth: number, seen: WeakSet<object>): unknown => {
    switch (typeof value) {
      case "string":
        return text(value);
      case "number":
      case "bigint":
        // A number is a secret only when it is the secret: 47110 is not the secret 4711.
        return whole.has(String(value)) ? REDACTED : value;
      case "boolean":
      case "undefined":
        return value;
      case "symbol":
        return text(value.toString());
      case "function":
        return `[Function ${text(value.name || "anonymous")}]`;
    }
    if (value === null || value instanceof Date) return value;
    const object = value as object;
    if (seen.has(object)) return "[Circular]";
    if (depth >= MAX_DEPTH) return "[Nested too deep]";
    seen.add(object);
    try {
      if (object instanceof Error) return redactError(object, depth, seen);
      if (ArrayBuffer.isView(object)) return `[${object.byteLength} bytes]`;
      if (Array.isArray(object)) return object.map((item) => walk(item, depth + 1, seen));
      if (object instanceof Map) {
        return Object.fromEntries(
          [...object].map(([key, item]) => [text(String(key)), walk(item, depth + 1, seen)]),
        );
      }
      if (object instanceof Set) return [...object].map((item) => walk(item, depth + 1, seen));
      if (object instanceof URL) return text(object.href);
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(object)) {
        copy[text(key)] = walk(readProperty(object, key), depth + 1, seen);
      }
      return copy;
    } finally {
      seen.delete(object);
    }
  };

  // An error stays an Error (loggers show its stack), with its message, stack and cause redacted.
  const redactError = (error: Error, depth: number, seen: WeakSet<object>): Error => {
    const copy = new Error(text(error.message));
    copy.name = text(error.name);
    copy.stack = error.stack === undefined ? undefined : text(error.stack);
    if (error.cause !== undefined) copy.cause = walk(error.cause, depth + 1, seen);
    for (const key of Object.keys(error)) {
      if (key !== "cause")
        Object.assign(copy, { [text(key)]: walk(readProperty(error, key), depth + 1, seen) });
    }
    return copy;
  };

  return { text, value: (value) => walk(value, 0, new WeakSet()) };
}

/** A property's value; a getter that throws is shown as what it threw, not passed on to the caller. */
function readProperty(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch (error) {
    return `[Unreadable: ${error instanceof Error ? error.message : String(error)}]`;
  }
}
