// Checks that a value has the shape of a connector, with one precise sentence per problem
// ("streams.orders.read must be an async generator function"). defineConnector runs it so that a
// plugin author hears of a mistake at once; the plugin loader runs it on whatever a module exports,
// since a hand-written or outdated plugin may never have gone through defineConnector.
import { z } from "zod";
import { CHANNELS } from "./records.ts";

const isFunction = (value: unknown) => typeof value === "function";
const isAsyncGeneratorFunction = (value: unknown) =>
  typeof value === "function" && Object.prototype.toString.call(value) === "[object AsyncGeneratorFunction]";

interface ZodLike {
  safeParse: unknown;
  _zod?: { def?: { type?: string } };
}
const isZodSchema = (value: unknown) =>
  typeof value === "object" && value !== null && typeof (value as ZodLike).safeParse === "function";
const isZodObject = (value: unknown) => isZodSchema(value) && (value as ZodLike)._zod?.def?.type === "object";

const required =
  (what: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? "is required" : `must be ${what}`;

const text = (what = "a non-empty string") => z.string({ error: required(what) }).min(1, `must be ${what}`);
const fn = (what = "a function") =>
  z.custom<(...args: never[]) => unknown>(isFunction, { error: required(what) });

const positive = z.number({ error: required("a positive number") }).positive("must be a positive number");

const streamSchema = z.object(
  {
    description: text().optional(),
    cursor: z.custom(isZodSchema, { error: required("a zod schema of the stream's cursor") }).optional(),
    read: z.custom(isAsyncGeneratorFunction, {
      error: required("an async generator function (async *read(ctx) { … yield … })"),
    }),
  },
  { error: required("an object with a read function") },
);

const connectorShape = z.object(
  {
    id: z
      .string({ error: required("a string") })
      .regex(
        /^[a-z][a-z0-9-]{0,62}$/,
        'must be lower-case letters, digits and dashes, starting with a letter (such as "shopify")',
      ),
    name: text(),
    channel: z.enum(CHANNELS, { error: required(`one of ${CHANNELS.join(", ")}`) }),
    version: z
      .string({ error: required("a version string") })
      .regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/, 'must be a semantic version such as "1.0.0"'),
    description: text().optional(),
    documentationUrl: z.url({ error: required("a URL") }).optional(),
    config: z.custom(isZodObject, { error: required("a zod object schema (z.object({ … }))") }),
    http: z
      .object(
        {
          maxAttempts: z.number().int("must be a whole number").min(1, "must be at least 1").optional(),
          baseDelayMs: positive.optional(),
          maxDelayMs: positive.optional(),
          maxWaitMs: positive.optional(),
          timeoutMs: positive.optional(),
          rateLimit: fn().optional(),
        },
        { error: required("an object") },
      )
      .optional(),
    check: fn("a function (check(ctx) returns { ok, message })"),
    streams: z
      .record(
        z.string().regex(/^[a-z][a-zA-Z0-9_-]{0,62}$/, "stream names start with a lower-case letter"),
        streamSchema,
        { error: required("an object of named streams") },
      )
      .refine((streams) => Object.keys(streams).length > 0, "must define at least one stream"),
    webhooks: z
      .object(
        { handshake: fn().optional(), verify: fn(), parse: fn() },
        { error: required("an object with verify and parse functions") },
      )
      .optional(),
  },
  { error: required("an object (the default export of defineConnector({ … }))") },
);

/** The problems with `value` as a connector, each a sentence naming its path; empty when it fits. */
export function connectorProblems(value: unknown): string[] {
  const result = connectorShape.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path} ${issue.message}` : `the export ${issue.message}`;
  });
}
