// Reading Prisma arguments by shape, for the reads that answer some shapes with their own SQL
// (customer-where-sql.ts, customer-page-rows.ts) and leave every other shape to Prisma.

/** An object of fields: not an array, and not a Date (a Date is a value, as in `occurredAt: date`). */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);

export const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === "string");

/** True when `value` gives no field but `keys` (a field set to undefined counts as not given). */
export const hasOnly = (value: Record<string, unknown>, keys: readonly string[]) =>
  Object.keys(value).every((key) => keys.includes(key) || value[key] === undefined);
