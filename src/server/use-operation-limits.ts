// Refuses an operation whose inputs break their bounds (src/graph/input-bounds.ts) or whose shape is
// over the depth, breadth or complexity limit (src/graph/operation-cost.ts) before anything runs:
// queries and mutations at execute, subscriptions at subscribe — over HTTP, server-sent events and
// graphql-ws alike, since all three run through yoga's envelope. The refusal is the operation's
// result, so a WebSocket stays open and only the refused subscription ends.
import { type ExecutionArgs, GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { checkInputBounds } from "../graph/input-bounds.ts";
import { costReadsVariables, measureOperationCost } from "../graph/operation-cost.ts";

/**
 * The checks, with the operation's cost measured once per document and operation when no field's cost
 * reads the variables (costReadsVariables): a mutation sent again and again with new inputs (a survey
 * answer each) had its whole document walked, and its variables coerced for the walk, every time. The
 * inputs' bounds are checked every time: they are the variables. Only a measure that passed is kept.
 */
function createRefusals() {
  /**
   * Per document and operation (by name; "" for the only one): whether its cost reads the variables
   * ("reads": measured every time), or passed once without reading them ("passes"). Both answers are
   * the document's own, so neither is worked out twice.
   */
  const costs = new WeakMap<ExecutionArgs["document"], Map<string, "passes" | "reads">>();
  return (args: ExecutionArgs): GraphQLError | null => {
    const variables = args.variableValues as Record<string, unknown> | null | undefined;
    const bounds = checkInputBounds(args.schema, args.document, args.operationName, variables);
    if (bounds) return bounds;
    const operation = args.operationName ?? "";
    let known = costs.get(args.document);
    if (!known) {
      known = new Map();
      costs.set(args.document, known);
    }
    const cost = known.get(operation);
    if (cost === "passes") return null;
    const { refusal, measured } = measureOperationCost(
      args.schema,
      args.document,
      args.operationName,
      variables,
    );
    if (cost === undefined && measured && !refusal) {
      known.set(
        operation,
        costReadsVariables(args.schema, args.document, args.operationName) ? "reads" : "passes",
      );
    }
    return refusal;
  };
}

/** How many operations (a document with its variables) are remembered as within the limits, in all. */
export const REMEMBERED_PASSES = 4096;
/** Longer variables (a bulk mutation's input) are checked every time rather than kept. */
const MAX_REMEMBERED_KEY_LENGTH = 512;

/**
 * The checks depend only on the schema, the document, the operation chosen and its variables (no
 * field's cost reads the context), and yoga hands every request of the same text the same parsed
 * document: an operation that passed once passes again, so a page asked for again does not walk its
 * document twice (1.7% of a CustomerList request's CPU). Only passes are kept, never a refusal. One
 * budget for all documents bounds the memory whatever clients send: at most REMEMBERED_PASSES keys
 * of at most MAX_REMEMBERED_KEY_LENGTH characters (about 4 MB), the oldest making room.
 */
function createPassedChecks() {
  const refusalOf = createRefusals();
  const documentIds = new WeakMap<ExecutionArgs["document"], number>();
  let nextDocumentId = 0;
  const passed = new Set<string>();
  const keyOf = (args: ExecutionArgs): string | null => {
    let documentId = documentIds.get(args.document);
    if (documentId === undefined) {
      documentId = nextDocumentId++;
      documentIds.set(args.document, documentId);
    }
    try {
      return JSON.stringify([documentId, args.operationName ?? null, args.variableValues ?? null]);
    } catch (error) {
      if (error instanceof RangeError) return null; // Thousands of levels overflow the stack.
      throw error;
    }
  };
  return (args: ExecutionArgs): GraphQLError | null => {
    const key = keyOf(args);
    // Variables nested too deeply to write out are never kept: the checks refuse them, typed.
    if (key === null) return refusalOf(args);
    if (passed.has(key)) return null;
    const refusal = refusalOf(args);
    if (refusal || key.length > MAX_REMEMBERED_KEY_LENGTH) return refusal;
    if (passed.size >= REMEMBERED_PASSES) passed.delete(passed.values().next().value as string);
    passed.add(key);
    return null;
  };
}

/** The most tokens one document may hold: far beyond any real operation, and parsed in milliseconds. */
export const MAX_DOCUMENT_TOKENS = 10_000;

function documentTooDeep(): GraphQLError {
  return new GraphQLError(
    "The document nests too deeply to read: nest selections and input values less (a few levels are all any field needs).",
    { extensions: { code: "GRAPHQL_PARSE_FAILED" } },
  );
}

export function useOperationLimits(): Plugin {
  const checked = createPassedChecks();
  return {
    // graphql's parser recurses once per level of nesting: thousands of levels of `{` or `[` overflow
    // the stack. The token limit bounds its work; a stack overflow within it is still the client's
    // document, refused as such rather than masked as a bug.
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parseFn(source, { ...options, maxTokens: MAX_DOCUMENT_TOKENS });
        } catch (error) {
          if (error instanceof RangeError) throw documentTooDeep();
          throw error;
        }
      });
    },
    onExecute({ args, setResultAndStopExecution }) {
      const refusal = checked(args);
      if (refusal) setResultAndStopExecution({ data: null, errors: [refusal] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refusal = checked(args);
      if (refusal) setResultAndStopExecution({ errors: [refusal] });
    },
  };
}
