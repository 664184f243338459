// Array parameters as PostgreSQL array literals, built the way node-postgres builds them but in one
// join. node-postgres turns an array parameter into its text form element by element
// (`result += escapeElement(...)`: several strings per element, then one more to flatten them): in a
// sync, the batches' column arrays made a fifth of everything the hub allocated (600 MB of 2.9 GB for
// the CDNOW orders), and the young-generation collections that followed copied each batch's records
// again. The literal is the same text node-postgres would send (pg/lib/utils.js arrayString), so
// PostgreSQL receives the same bytes.

/** Characters that arrayString escapes inside an element's quotes. */
const NEEDS_ESCAPE = /["\\]/;

function escaped(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\"]/g, "\\$&") : value;
}

function element(value: string | number | boolean | null | undefined): string {
  return value == null ? "NULL" : `"${escaped(String(value))}"`;
}

/**
 * The array literal node-postgres would send for `values` (strings, numbers, booleans, null or
 * undefined); undefined when an element is anything else (a Date, a Buffer, an object, an array),
 * which node-postgres then encodes itself.
 */
export function pgArrayLiteral(values: readonly unknown[]): string | undefined {
  // Quoted and joined at once when no element needs more: one string, of the literal's own length.
  let plain = true;
  for (const value of values) {
    if (value == null) plain = false;
    else if (typeof value === "string") {
      if (plain && NEEDS_ESCAPE.test(value)) plain = false;
    } else if (typeof value !== "number" && typeof value !== "boolean") return undefined;
  }
  if (values.length === 0) return "{}";
  if (plain) return `{"${values.join('","')}"}`;
  // Array.from visits a sparse array's holes (as undefined, NULL as node-postgres sends them); map skips them.
  return `{${Array.from(values as Array<string | number | boolean | null | undefined>, element).join(",")}}`;
}
