// Text for Prisma's `contains` / `startsWith` filters, which become SQL LIKE patterns without
// escaping: a client's `%` or `_` would act as wildcards (and `%_%_%…` makes the match costly).
// PostgreSQL's LIKE escapes with a backslash by default, so each of the three is escaped with one.

/** The text, to be matched literally by a Prisma string filter. */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
