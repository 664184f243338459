// Statements planned once per connection. PostgreSQL plans an unnamed statement on every execution;
// for the rescoring read of a write's customer (customer-signals.ts) that planning cost ten to twenty
// times its execution (4.7 ms against 0.4 ms of the server's CPU on each write), and the score write
// several times its own. A statement that starts with PREPARED is sent as a named prepared statement
// (its name a hash of its text, so one name never stands for two texts), parsed once per connection;
// after five executions PostgreSQL keeps its generic plan when that costs no more than the plans made
// for the values (plan_cache_mode auto), and planning stops. Only statements whose generic plan is the
// plan they need anyway should be marked: per-row index lookups, and pages that walk one index
// whatever the values (the unfiltered customer list, customer-page-ids.ts). A generic plan takes an array
// parameter for ten elements: a marked statement must not join two sets that come from the same
// array (CTEs of a batch joined back on its ids), which such a plan does by nested loops, each row of
// one compared with each of the other (customer-signals.ts did, and it cost 4.5 times its custom
// plan). Everything else stays unnamed and planned with its values, except in its one-row form: a
// statement marked PREPARED_FOR_ONE_ROW is prepared when each of its arrays holds one value at most (a
// mutation's one customer), written out as ARRAY[$1::uuid] so that its generic plan is costed for the
// one row it gets (oneRowForm; a marked statement's short arrays are written out alike). (plan_cache_mode=force_generic_plan on the pool's connections would reach
// the unnamed statements too: PostgreSQL plans an unnamed extended-protocol statement as a prepared
// one, so every parameterised query of the hub would lose the plans its values allow.)
import { createHash } from "node:crypto";
import { Prisma } from "../generated/prisma/client.ts";

/** The mark that asks for a prepared statement: put it first in the statement's text. */
export const PREPARED = "/* cxhub:prepared */";

/**
 * The mark for a statement that is prepared only for one row: when each of its array parameters holds
 * at most one value (a mutation's one customer), it is sent in its one-row form (oneRowForm) as a
 * prepared statement, whose generic plan is then the plan its values would get; with any larger array
 * (a sync's batch) it goes unnamed and is planned with its values, as an unmarked statement. For
 * statements whose generic plan suits one row but not a batch of thousands.
 */
export const PREPARED_FOR_ONE_ROW = "/* cxhub:prepared-for-one-row */";

/**
 * `$3`, or `$3::uuid[]` (the cast's type in group 2): a parameter as a statement's text names it. A
 * multidimensional cast (`$3::uuid[][]`) is not a one-dimensional array's and is never rewritten.
 */
const PARAMETER = /\$(\d+)(?!\d)(?:::(\w+|"[^"]+")\[\](?!\[))?/g;

/**
 * A statement with its array parameters of at most one value written as one-element (`ARRAY[$1::uuid]`)
 * or empty (`'{}'::uuid[]`) arrays, the values given unwrapped, the other parameters renumbered. A
 * generic plan knows nothing of a bound array's length and costs it as ten elements, so PostgreSQL
 * keeps making custom plans (planning on every execution) for a prepared statement that mostly gets
 * one; written out, the generic plan costs what a custom plan would, and PostgreSQL takes it after
 * five executions. Each form is a text (and a prepared statement) of its own. Only a parameter written
 * `$n::type[]` wherever it appears is rewritten; `arrays` answers whether a parameter holding an array
 * was left as it was.
 */
export function oneRowForm(
  sql: string,
  values: unknown[],
): { sql: string; values: unknown[]; arrays: boolean } {
  const { castEverywhere, forms } = parametersOf(sql);
  const kept: unknown[] = [];
  let arrays = false;
  let shape = "";
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    const short = Array.isArray(value) && value.length <= 1 && !Array.isArray(value[0]);
    if (short && castEverywhere[index] === true) {
      if (value.length === 0) shape += "0";
      else {
        // Inside an array node-postgres sent a Date with its offset; alone, the driver adapter would
        // send its UTC clock time without one, read in the session's time zone: the instant as text.
        kept.push(value[0] instanceof Date ? value[0].toISOString() : value[0]);
        shape += "1";
      }
      continue;
    }
    if (Array.isArray(value)) arrays = true;
    kept.push(value);
    shape += "n";
  }
  let rewritten = forms.get(shape);
  if (rewritten === undefined) {
    rewritten = rewrite(sql, shape);
    forms.set(shape, rewritten);
  }
  return { sql: rewritten, values: kept, arrays };
}

/** Per marked text, which parameters are cast to an array wherever they appear, and its forms by shape. */
const parsedTexts = new Map<string, { castEverywhere: boolean[]; forms: Map<string, string> }>();

/**
 * Parsed once per text: the regular expressions cost a write's statements 3% of the hub's CPU when
 * run on every execution. Bounded by the named texts' budgets together (a text beyond is parsed again).
 */
function parametersOf(sql: string): { castEverywhere: boolean[]; forms: Map<string, string> } {
  let parsed = parsedTexts.get(sql);
  if (parsed === undefined) {
    const castEverywhere: boolean[] = [];
    for (const [, n, type] of sql.matchAll(PARAMETER)) {
      const index = Number(n) - 1;
      castEverywhere[index] = (castEverywhere[index] ?? true) && type !== undefined;
    }
    parsed = { castEverywhere, forms: new Map() };
    if (parsedTexts.size < MAX_PARSED_TEXTS) parsedTexts.set(sql, parsed);
  }
  return parsed;
}

/** The text with each parameter written as `shape` says: "0" empty, "1" one value, "n" as it was. */
function rewrite(sql: string, shape: string): string {
  const numbers: number[] = [];
  let next = 0;
  for (const kind of shape) numbers.push(kind === "0" ? 0 : ++next);
  return sql.replace(PARAMETER, (match, n: string, type: string | undefined) => {
    const index = Number(n) - 1;
    const kind = shape[index];
    if (kind === undefined) return match;
    if (kind === "0") return `'{}'::${type}[]`;
    if (kind === "1") return `ARRAY[$${numbers[index]}::${type}]`;
    return `$${numbers[index]}${match.slice(1 + n.length)}`;
  });
}

/**
 * The statement as it is sent: a PREPARED one with its short arrays written out (oneRowForm), a
 * PREPARED_FOR_ONE_ROW one as PREPARED in that form when no longer array is left, else unchanged.
 */
export function asSent(sql: string, values: unknown[]): { sql: string; values: unknown[] } {
  if (sql.startsWith(PREPARED)) {
    const form = oneRowForm(sql, values);
    return { sql: form.sql, values: form.values };
  }
  if (sql.startsWith(PREPARED_FOR_ONE_ROW)) {
    // A batch (an array of more than one value) goes as it is, without building a form to drop.
    if (values.some((value) => Array.isArray(value) && value.length > 1)) return { sql, values };
    const form = oneRowForm(sql, values);
    if (!form.arrays)
      return { sql: PREPARED + form.sql.slice(PREPARED_FOR_ONE_ROW.length), values: form.values };
  }
  return { sql, values };
}

/**
 * The mark for a prepared statement whose text follows what a client asks: a page's size written into
 * it (rowCountLiteral), the columns and relations its selection reads. It starts with PREPARED and is
 * sent as such; only its budget of names differs (statementNamer), so that clients asking many shapes
 * of page cannot use up the names the hub's own statements (the write pipeline's, the scoring's) need.
 */
export const PREPARED_REQUEST_SHAPED = `${PREPARED} /* cxhub:request-shaped */`;

/**
 * The most texts named in a process, for each kind of mark. Every name becomes a statement that each
 * pooled connection keeps, with its plan, until it closes (node-postgres never deallocates one): past
 * its budget, a new text goes unnamed and is planned each time, as any other statement. The hub's own
 * texts are a fixed set (a few dozen with their one-row forms); the bound only guards against a mark put
 * on a text built from values. Request-shaped texts vary with clients: the usual pages are a few dozen.
 */
export const MAX_PREPARED_TEXTS = { own: 500, requestShaped: 200 } as const;
const MAX_PARSED_TEXTS = MAX_PREPARED_TEXTS.own + MAX_PREPARED_TEXTS.requestShaped;

/**
 * Names marked statements by their text, each kind of mark up to its budget of texts; undefined
 * (unnamed) for any other statement, and for a new text once its kind's budget is spent.
 */
export function statementNamer(
  max: { own: number; requestShaped: number } = MAX_PREPARED_TEXTS,
): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  let own = 0;
  let requestShaped = 0;
  return (query) => {
    if (!query.sql.startsWith(PREPARED)) return undefined as unknown as string;
    let name = names.get(query.sql);
    if (name === undefined) {
      const shaped = query.sql.startsWith(PREPARED_REQUEST_SHAPED);
      if (shaped ? requestShaped >= max.requestShaped : own >= max.own) return undefined as unknown as string;
      if (shaped) requestShaped++;
      else own++;
      name = `cxhub_${createHash("sha256").update(query.sql).digest("hex").slice(0, 32)}`;
      names.set(query.sql, name);
    }
    return name;
  };
}

/** The process's namer, which the PostgreSQL driver adapter asks (database.ts). */
export const preparedStatementName = statementNamer();

/**
 * A row count written into a statement's text (`LIMIT 20`) rather than bound. A generic plan knows
 * nothing of a bound LIMIT and costs it as a tenth of the rows, so PostgreSQL never takes the generic
 * plan of a page statement and plans it on every execution; with the count in the text it takes it.
 * Each count is a text of its own: a statement holding one is marked PREPARED_REQUEST_SHAPED, whose
 * budget bounds how many are named.
 */
export function rowCountLiteral(count: number): Prisma.Sql {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new Error(`A row count in a statement must be a whole number of at least 0; got ${count}.`);
  }
  return Prisma.raw(String(count));
}
