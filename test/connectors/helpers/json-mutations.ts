// Random damage to a provider's documented JSON payload, for the webhook fuzz tests: a value at a
// random path replaced by another type, null, an empty or huge array, deep nesting, odd Unicode or a
// NUL, or removed; and damage to the raw bytes (a NUL byte, a cut, bytes that are not UTF-8). Every
// body is then signed as the provider signs it, so it reaches the plugin's parse.
import fc from "fast-check";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

/** Paths no deeper than this are damaged: a provider's payloads are shallower, and damage is not. */
const MAX_PATH_DEPTH = 12;

/** Every path in the value down to MAX_PATH_DEPTH, the root included, in document order. */
export function pathsOf(value: Json, prefix: Path = []): Path[] {
  const paths: Path[] = [prefix];
  if (prefix.length >= MAX_PATH_DEPTH) return paths;
  if (Array.isArray(value)) {
    // The first items stand for the rest (an array of 1,000 copies is one damage, not 1,000 targets).
    for (const [index, item] of value.slice(0, 5).entries()) paths.push(...pathsOf(item, [...prefix, index]));
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  }
  return paths;
}

const REMOVE = Symbol("remove");

/** The hub refuses larger bodies with 413 before reading them (handle-webhook.ts: 5 MB): not fuzzed here. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A copy of `root` with the value at `path` replaced (or removed), computed from the value there. */
function replaceAt(root: Json, path: Path, replace: (old: Json) => Json | typeof REMOVE): Json {
  if (path.length === 0) {
    const next = replace(root);
    return next === REMOVE ? null : next;
  }
  const [head, ...rest] = path as [string | number, ...Path];
  const copy: Json = Array.isArray(root) ? [...root] : { ...(root as Record<string, Json>) };
  const container = copy as Record<string | number, Json>;
  const child = container[head] as Json;
  if (rest.length === 0) {
    const next = replace(child);
    if (next !== REMOVE) container[head] = next;
    else if (Array.isArray(copy)) copy.splice(head as number, 1);
    else delete container[head];
  } else {
    container[head] = replaceAt(child, rest, replace);
  }
  return copy;
}

function nested(depth: number): Json {
  let value: Json = "deep";
  for (let level = 0; level < depth; level++) value = level % 2 ? [value] : { a: value };
  return value;
}

const ODD_STRINGS = [
  "",
  " ",
  "x",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff\ud800",
  "\u202egnp.exe",
  "👩‍👩‍👧‍👦",
  "e\u0301",
  "Ｆｕｌｌｗｉｄｔｈ",
  "\uFEFF",
  "not-an-email@",
  "2026-02-30T25:61:00Z",
  "-1",
  "9007199254740993",
  "NaN",
];

/** What to put where a value was: a function of the old value, so that arrays can repeat it. */
const replacement: fc.Arbitrary<{ label: string; make: (old: Json) => Json | typeof REMOVE }> = fc.oneof(
  fc
    .constantFrom<Json>(null, true, false, 0, -1, 1e308, 2 ** 64, 0.5, [], {}, [null], ["x"], { x: null })
    .map((value) => ({ label: `the value ${JSON.stringify(value)}`, make: () => value })),
  fc
    .constantFrom(...ODD_STRINGS)
    .map((value) => ({ label: `the string ${JSON.stringify(value)}`, make: () => value })),
  fc.string({ unit: "binary", maxLength: 40 }).map((value) => ({
    label: `the string ${JSON.stringify(value)}`,
    make: () => value,
  })),
  fc.constant({ label: "nothing (removed)", make: () => REMOVE }),
  fc.integer({ min: 50, max: 1500 }).map((depth) => ({
    label: `${depth} levels of nesting`,
    make: () => nested(depth),
  })),
  fc.integer({ min: 100, max: 1000 }).map((count) => ({
    label: `an array of ${count} copies of it`,
    make: (old: Json) => Array.from({ length: count }, () => old),
  })),
  fc.constant({ label: "a 300 kB string", make: () => "ä".repeat(150_000) }),
);

export interface Damage {
  /** What was done, for the failure message. */
  describe: string;
  /** The raw body to sign. */
  body: Uint8Array<ArrayBuffer>;
}

/**
 * Signed-body candidates from `fixture`: 1 to 3 value mutations at random paths (never under a
 * `frozen` key, such as a signed send time the replay window checks), then, sometimes, byte damage.
 */
export function damagedBodies(fixture: Json, options: { frozen?: string[] } = {}): fc.Arbitrary<Damage> {
  const frozen = new Set(options.frozen ?? []);
  const paths = pathsOf(fixture).filter((path) => !path.some((step) => frozen.has(String(step))));
  const mutation = fc.record({ at: fc.nat(), replacement });
  const bytes = fc.oneof(
    { weight: 6, arbitrary: fc.constant("none" as const) },
    fc.constantFrom("nul byte" as const, "cut" as const, "latin-1 byte" as const),
  );
  return fc
    .record({ mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }), bytes, cutAt: fc.nat() })
    .map(({ mutations, bytes: byteDamage, cutAt }) => {
      let value = fixture;
      const steps: string[] = [];
      for (const { at, replacement: r } of mutations) {
        const candidates = pathsOf(value).filter((path) => !path.some((step) => frozen.has(String(step))));
        const path = candidates[at % candidates.length] ?? paths[0] ?? [];
        value = replaceAt(value, path, r.make);
        steps.push(`${path.join(".") || "(body)"} := ${r.label}`);
      }
      let text = Buffer.from(JSON.stringify(value), "utf8");
      if (byteDamage === "nul byte")
        text = Buffer.concat([
          text.subarray(0, cutAt % text.length),
          Buffer.from([0]),
          text.subarray(cutAt % text.length),
        ]);
      if (byteDamage === "cut") text = text.subarray(0, cutAt % text.length);
      if (byteDamage === "latin-1 byte")
        text = Buffer.concat([
          text.subarray(0, cutAt % text.length),
          Buffer.from([0xe9]),
          text.subarray(cutAt % text.length),
        ]);
      if (byteDamage !== "none")
        steps.push(`then the bytes: ${byteDamage} at ${cutAt % Math.max(1, text.length)}`);
      const describe = steps.join("; ");
      // fast-check prints a failing case with this: its damage, not megabytes of bytes.
      return { describe, body: new Uint8Array(text), [fc.toStringMethod]: () => describe };
    })
    .filter((damage) => damage.body.length <= MAX_BODY_BYTES);
}
