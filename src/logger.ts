// The hub's logger: pino, one JSON object per line on stderr (stdout stays for what commands print),
// at the level CXHUB_LOG_LEVEL sets. Every line has `level`, `time` (ISO 8601), `pid`, `hostname`
// and `msg`; an error goes in `err` with its type, message and stack.
//
// Secrets are redacted by path, whoever logs them: authorization headers, API keys, tokens,
// passwords and secrets (pino's redact works on the object before it is serialized, so it cannot
// throw and cannot be fooled by how a value is escaped). A connector's own secret values are
// redacted on values by the SDK's logger (src/sdk/logger.ts) before they reach this one.
//
// The fields of the work in progress (the request id of the HTTP request being served) go on every
// line logged while doing it, from wherever in the code: `withLogFields` keeps them in an
// AsyncLocalStorage, which pino's mixin reads, so no logger has to be threaded through for them.
//
// What that costs depends on the runtime. On Node 20 and 22 an AsyncLocalStorage in use turns on
// async_hooks' promise hooks for every promise of the process: a Customer360 request makes about 114,
// and serving it took 12% less CPU with both of the hub's stores stubbed out (this one and
// transaction-sql.ts's; 1.18-1.27 against 1.33-1.51 ms, four interleaved pairs; the list page, with
// fewer promises per field, showed no difference). Node 24 keeps the store in V8's context frame
// (AsyncContextFrame), where it costs nothing of the kind. A request id on every line of a request is
// worth that on the older runtimes; the way to the saving is a newer Node, not fewer log fields.
import { AsyncLocalStorage } from "node:async_hooks";
import { inspect } from "node:util";
import pino, { type DestinationStream } from "pino";
import type { LogLevel } from "./config.ts";
import { REDACTED } from "./sdk/secrets.ts";

export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export type LogFields = Record<string, unknown>;

/**
 * Fields that hold secrets wherever they appear, at the top of a line's fields or one level down
 * (`{ headers: { authorization } }`, `{ config: { apiKey } }`), and under a request's headers.
 */
const SECRET_FIELDS = [
  "authorization",
  "cookie",
  "apiKey",
  "api_key",
  "token",
  "accessToken",
  "access_token",
  "refreshToken",
  "refresh_token",
  "idToken",
  "password",
  "secret",
  "secrets",
  "clientSecret",
  "client_secret",
  "webhookSecret",
  "signingSecret",
  "privateKey",
  "encryptedSecrets",
];

const SECRET_PATHS = [
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  "*.headers.authorization",
  "*.headers.cookie",
];

const logFields = new AsyncLocalStorage<LogFields>();

/** Runs `work` with `fields` added to every line logged during it (and the async work it starts). */
export function withLogFields<T>(fields: LogFields, work: () => T): T {
  return logFields.run({ ...logFields.getStore(), ...fields }, work);
}

/** The fields `withLogFields` set for the work in progress; empty outside any. */
export function currentLogFields(): LogFields {
  return logFields.getStore() ?? {};
}

export interface LoggerOptions {
  /** Where the lines go; stderr (written synchronously, so no line is lost at exit) by default. */
  destination?: DestinationStream;
}

// One writer on stderr for every logger of the process (tests create many), made when first needed.
let stderr: DestinationStream | undefined;
const stderrDestination = () => {
  stderr ??= pino.destination({ fd: 2, sync: true });
  return stderr;
};

export function createLogger(level: LogLevel, options: LoggerOptions = {}): Logger {
  const target = pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: SECRET_PATHS, censor: REDACTED },
      mixin: currentLogFields,
      serializers: { err: pino.stdSerializers.errWithCause },
    },
    options.destination ?? stderrDestination(),
  );
  const at =
    (wanted: Exclude<LogLevel, "silent">) =>
    (...args: unknown[]): void => {
      if (!target.isLevelEnabled(wanted)) return;
      const { fields, message } = toLine(args);
      target[wanted](fields, message);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/**
 * The call shapes the hub uses, as one line: words (strings, numbers) make the message, an Error
 * becomes `err`, plain objects are fields. Anything else is shown in the message as inspect sees it.
 */
function toLine(args: unknown[]): { fields: LogFields; message: string } {
  const fields: LogFields = {};
  const words: string[] = [];
  for (const arg of args) {
    if (arg instanceof Error) {
      if (fields.err === undefined) fields.err = arg;
      else words.push(`${arg.name}: ${arg.message}`);
    } else if (isPlainObject(arg)) {
      // An error under any field name shows its type, message and stack, as `err` does.
      for (const [key, value] of Object.entries(arg)) {
        fields[key] =
          value instanceof Error && key !== "err" ? pino.stdSerializers.errWithCause(value) : value;
      }
    } else if (typeof arg === "string") {
      words.push(arg);
    } else {
      words.push(typeof arg === "object" && arg !== null ? inspect(arg, { depth: 3 }) : String(arg));
    }
  }
  // A line with only an error says what the error says.
  const message = words.length > 0 ? words.join(" ") : fields.err instanceof Error ? fields.err.message : "";
  return { fields, message };
}

function isPlainObject(value: unknown): value is LogFields {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
