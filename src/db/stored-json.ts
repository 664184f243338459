// Reading JSON columns through the zod schema of the code that writes them. Prisma types a Json
// column as any JSON, so only that code knows its shape; a value that does not fit (written by hand,
// by an older version, or damaged) becomes a StoredDataError naming the table, column and row and
// what is wrong, at the boundary, instead of a TypeError wherever the value is used later.
import type { z } from "zod";

/** A stored value does not have the shape the hub reads. Not the caller's fault: an operator's to fix. */
export class StoredDataError extends Error {
  override name = "StoredDataError";
  readonly table: string;
  readonly column: string;
  readonly rowId: string;
  constructor(message: string, where: Pick<StoredValue, "table" | "column" | "rowId">) {
    super(message);
    this.table = where.table;
    this.column = where.column;
    this.rowId = where.rowId;
  }
}

export interface StoredValue {
  table: string;
  column: string;
  /** The row's id (or key), so that an operator can find it. */
  rowId: string;
  /** What an operator does about a value that does not fit: a sentence, ending with a full stop. */
  remedy: string;
}

/** The value parsed by `schema`, or a StoredDataError saying where it is and what is wrong. */
export function parseStoredJson<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: StoredValue,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [first, ...others] = result.error.issues;
  const path = first?.path.length ? ` at ${first.path.map(String).join(".")}` : "";
  const more = others.length > 0 ? ` (and ${others.length} more)` : "";
  throw new StoredDataError(
    `${where.table}.${where.column} of ${where.table} ${where.rowId} does not have the shape this hub reads${path}: ${first?.message ?? "invalid"}${more}. ${where.remedy}`,
    where,
  );
}
