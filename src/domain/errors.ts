// The errors domain code throws. Each says what went wrong and what to do about it; the GraphQL
// layer maps each class to a typed error a client can switch on. Nothing is swallowed.
import type { z } from "zod";

/** One problem with an input, at a path into it (["identities", 0, "value"]). */
export interface FieldIssue {
  path: Array<string | number>;
  message: string;
}

/** The input is wrong; `issues` say where and why. */
export class ValidationError extends Error {
  override name = "ValidationError";
  readonly issues: FieldIssue[];
  constructor(message: string, issues: FieldIssue[] = []) {
    super(message);
    this.issues = issues;
  }

  static fromZod(error: z.ZodError, what = "The input"): ValidationError {
    const issues = error.issues.map((issue) => ({
      path: issue.path.filter((part): part is string | number => typeof part !== "symbol"),
      message: issue.message,
    }));
    const first = issues[0];
    const where = first && first.path.length > 0 ? ` at ${first.path.join(".")}` : "";
    // Issue messages may end a sentence themselves ("… (a UUID)."): one full stop, not two.
    const reason = (first?.message ?? "see issues").replace(/\.+$/, "");
    return new ValidationError(
      `${what} is invalid${where}: ${reason}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""}.`,
      issues,
    );
  }
}

/** Something the input names does not exist. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
  readonly resource: string;
  readonly id: string;
  constructor(message: string, resource: string, id: string) {
    super(message);
    this.resource = resource;
    this.id = id;
  }
}

/** The request is valid on its own but conflicts with the current state. */
export class ConflictError extends Error {
  override name = "ConflictError";
}

/**
 * A write found that a concurrent writer changed rows it had read (attached an identity, merged a
 * customer, stored a fact): the write pipeline redoes the whole unit of work, which reads them anew.
 */
export class LostRaceError extends Error {
  override name = "LostRaceError";
}

/** The caller may not do this. */
export class ForbiddenError extends Error {
  override name = "ForbiddenError";
}

/** Parses `input` with `schema`, or throws a ValidationError with a path for every issue. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(result.error, what);
  return result.data;
}
