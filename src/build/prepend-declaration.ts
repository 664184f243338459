// Where the build's edits of a dependency (graphql-fast-objects.ts, prisma-sparse-edges.ts) put the
// declaration their edited code calls: first, but after a CommonJS module's "use strict" directive,
// which must stay its first statement.

/** `source` with `declaration` before its first statement other than a "use strict" directive. */
export function prependDeclaration(source: string, declaration: string): string {
  const strict = /^(['"])use strict\1;\n?/.exec(source);
  const at = strict ? strict[0].length : 0;
  return `${source.slice(0, at)}${declaration}${source.slice(at)}`;
}
