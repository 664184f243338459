// Secret fields of a connector's configuration: how a plugin marks them, and how the hub splits a
// configuration into the part it may show and the part it encrypts, redacts it for logs and answers,
// and describes it as JSON Schema for a form. A secret is marked with the standard JSON Schema
// keyword `writeOnly` in zod's metadata: zod keeps that registry on globalThis, so the mark survives
// a plugin that brings its own copy of zod, and z.toJSONSchema writes it out as is.
import { z } from "zod";

/** What the hub shows instead of a secret value. */
export const REDACTED = "••••••";

/**
 * Marks a configuration field as secret: encrypted at rest, never returned by the API, masked in
 * logs. Wrap the finished field: `secret(z.string().min(20))`, then `.optional()` if it is.
 */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ ...(schema.meta() ?? {}), writeOnly: true }) as T;
}

interface ZodInternals {
  _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType; shape?: Record<string, z.ZodType> } };
  meta(): Record<string, unknown> | undefined;
}

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "catch", "readonly", "nonoptional"]);

/** The schema under optional/nullable/default/pipe wrappers, and whether any layer is marked secret. */
function inspect(schema: z.ZodType): { core: ZodInternals; secret: boolean } {
  let current = schema as unknown as ZodInternals;
  let marked = false;
  for (let depth = 0; depth < 20; depth++) {
    if (current.meta()?.writeOnly === true) marked = true;
    const def = current._zod.def;
    const next = WRAPPERS.has(def.type) ? def.innerType : def.type === "pipe" ? def.in : undefined;
    if (!next) break;
    current = next as unknown as ZodInternals;
  }
  return { core: current, secret: marked };
}

/** True when the field (under any optional/default wrappers) is marked with `secret()`. */
export function isSecret(schema: z.ZodType): boolean {
  return inspect(schema).secret;
}

/** The paths of the secret fields of an object schema, nested objects included: [["auth", "token"]]. */
export function secretPaths(schema: z.ZodType): string[][] {
  const { core } = inspect(schema);
  const shape = core._zod.def.type === "object" ? core._zod.def.shape : undefined;
  if (!shape) return [];
  const paths: string[][] = [];
  for (const [key, field] of Object.entries(shape)) {
    if (isSecret(field)) paths.push([key]);
    else for (const inner of secretPaths(field)) paths.push([key, ...inner]);
  }
  return paths;
}

type Plain = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value at `path` of nested objects, and whether it is there. */
export function getPath(value: unknown, path: string[]): { found: boolean; value?: unknown } {
  let current = value;
  for (const key of path) {
    if (!isPlainObject(current) || !Object.hasOwn(current, key)) return { found: false };
    current = current[key];
  }
  return { found: true, value: current };
}

/** Sets the value at `path`, making the objects on the way. */
export function setPath(target: Plain, path: string[], value: unknown): void {
  let current = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(current[key])) current[key] = {};
    current = current[key] as Plain;
  }
  current[path[path.length - 1] as string] = value;
}

function deletePath(target: Plain, path: string[]): void {
  const parent = getPath(target, path.slice(0, -1));
  if (parent.found && isPlainObject(parent.value)) delete parent.value[path[path.length - 1] as string];
}

/**
 * Splits a configuration into the part the hub may store in the clear and show, and the secret part
 * it encrypts. `joinSecrets` puts them back together.
 */
export function splitSecrets(schema: z.ZodType, config: Plain): { public: Plain; secrets: Plain } {
  const visible = structuredClone(config);
  const secrets: Plain = {};
  for (const path of secretPaths(schema)) {
    const field = getPath(config, path);
    if (!field.found) continue;
    setPath(secrets, path, field.value);
    deletePath(visible, path);
  }
  return { public: visible, secrets };
}

/** The configuration again, from its public part and its (decrypted) secret part. */
export function joinSecrets(visible: Plain, secrets: Plain): Plain {
  const merged = structuredClone(visible);
  const visit = (from: Plain, into: Plain) => {
    for (const [key, value] of Object.entries(from)) {
      if (isPlainObject(value) && isPlainObject(into[key])) visit(value, into[key] as Plain);
      else into[key] = structuredClone(value);
    }
  };
  visit(secrets, merged);
  return merged;
}

/** A copy safe to log or return: every secret that is set reads REDACTED. */
export function redactSecrets(schema: z.ZodType, config: Plain): Plain {
  const copy = structuredClone(config);
  for (const path of secretPaths(schema)) {
    const field = getPath(copy, path);
    if (field.found && field.value !== undefined && field.value !== null) setPath(copy, path, REDACTED);
  }
  return copy;
}

/** The secret values themselves (strings and numbers), so that logs can be scrubbed of them. */
export function secretValues(schema: z.ZodType, config: Plain): string[] {
  const values: string[] = [];
  for (const path of secretPaths(schema)) {
    const field = getPath(config, path);
    if (typeof field.value === "string" || typeof field.value === "number") values.push(String(field.value));
  }
  return values;
}

/**
 * The configuration as JSON Schema (draft 2020-12) for a form: what a user types in (defaults make
 * fields optional), descriptions from `.describe()`, and secret fields marked `writeOnly: true`.
 */
export function configJsonSchema(
  connectorOrSchema: { config: z.ZodType } | z.ZodType,
): Record<string, unknown> {
  const schema = "_zod" in connectorOrSchema ? connectorOrSchema : connectorOrSchema.config;
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}
