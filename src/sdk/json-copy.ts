// JSON values checked and copied in one plain walk, for the compiled fast path of record validation
// (records.ts). zod's z.json() is a recursive schema: zod's memoizer wraps it for cycles on every
// parse (state and weak maps per call), and z.compile refuses any schema that contains it, so one
// metadata field kept a sync's whole record schema on the interpreted parser.
//
// The walk accepts a subset of what z.json() accepts, and copies it as z.json() outputs it (fresh
// objects and arrays, keys in their own order): strings, finite numbers, booleans, null, arrays, and
// objects whose prototype is Object.prototype or null, with enumerable string keys only. Anything else
// (a symbol or non-enumerable key, an own "__proto__" key, a class instance, nesting deeper than
// MAX_DEPTH) is left to
// z.json() itself, which then answers as it always has: records.ts falls back to the full schema
// whenever the fast one refuses a value.

/** What copyJson answers for a value it does not take (which z.json() may still accept). */
export const NOT_COPIED: unique symbol = Symbol("not copied");

/** Deeper than this, the value is left to z.json(). */
const MAX_DEPTH = 64;

/** A copy of `value` as z.json() would output it, or NOT_COPIED (see the top of this file). */
export function copyJson(value: unknown, depth = 0): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : NOT_COPIED;
    case "object":
      if (value === null) return null;
      if (depth >= MAX_DEPTH) return NOT_COPIED;
      return Array.isArray(value) ? copyArray(value, depth) : copyJsonObject(value, depth);
    default:
      return NOT_COPIED;
  }
}

function copyArray(array: unknown[], depth: number): unknown[] | typeof NOT_COPIED {
  const copy = new Array(array.length);
  for (let index = 0; index < array.length; index++) {
    const item = copyJson(array[index], depth + 1);
    if (item === NOT_COPIED) return NOT_COPIED;
    copy[index] = item;
  }
  return copy;
}

/** A plain object of JSON values, copied; NOT_COPIED for anything else (arrays included). */
export function copyJsonObject(value: unknown, depth = 0): Record<string, unknown> | typeof NOT_COPIED {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return NOT_COPIED;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return NOT_COPIED;
  // Enumerable string keys only: a symbol or a non-enumerable key, and what zod does with it, is z.json()'s.
  const keys = Object.keys(value);
  if (keys.length !== Reflect.ownKeys(value).length) return NOT_COPIED;
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    if (key === "__proto__") return NOT_COPIED;
    const item = copyJson((value as Record<string, unknown>)[key], depth + 1);
    if (item === NOT_COPIED) return NOT_COPIED;
    copy[key] = item;
  }
  return copy;
}
