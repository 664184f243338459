// How errors reach clients. Domain errors become GraphQL errors with a `code` a client can switch on
// (and field paths for validation errors); Pothos' own refusals of an argument (a global ID that is
// not one of ours, a negative page size) and variables a scalar refused become BAD_USER_INPUT with a
// sentence saying what to do; anything else is a bug, logged and masked as "Unexpected error." so
// no internals leak. Mutations also return their expected failures as typed result members (see the errors plugin in builder.ts).
import { PothosValidationError } from "@pothos/core";
import { GraphQLError } from "graphql";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "../db/database-errors.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../domain/errors.ts";
import { SlowConsumerError } from "../streams/async-queue.ts";
import { MAX_PAGE_SIZE } from "./builder.ts";

export function toClientError(error: unknown): GraphQLError | null {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  const path = error instanceof GraphQLError ? error.path : undefined;
  const at = (
    code: string,
    extensions: Record<string, unknown> = {},
    message = (original as Error).message,
  ) => new GraphQLError(message, { path, extensions: { code, ...extensions } });
  if (original instanceof ValidationError) return at("BAD_USER_INPUT", { issues: original.issues });
  if (original instanceof NotFoundError) return at("NOT_FOUND", { resource: original.resource });
  if (original instanceof ConflictError) return at("CONFLICT");
  if (original instanceof ForbiddenError) return at("FORBIDDEN");
  // A subscription ended because its client fell behind; the message says how to resume.
  if (original instanceof SlowConsumerError) return at("SLOW_CONSUMER", { limit: original.limit });
  if (original instanceof PothosValidationError) return pothosRefusal(original.message, at);
  // graphql-js refusing a variable that a scalar could not parse: the scalar's own message, which says
  // what it expects, is the client's to read whatever the scalar threw.
  if (
    error instanceof GraphQLError &&
    error.path === undefined &&
    /^Variable "\$\w+" got invalid value/.test(error.message)
  ) {
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      extensions: { ...error.extensions, code: "BAD_USER_INPUT" },
    });
  }
  // The database dropped or refused the connection: a 503 with Retry-After (yoga reads `http`, and
  // keeps it out of the answer), never the driver's text.
  if (isDatabaseUnavailable(original)) {
    const retryAfter = String(DATABASE_UNAVAILABLE.retryAfterSeconds);
    return new GraphQLError(DATABASE_UNAVAILABLE.message, {
      path,
      extensions: {
        code: "SERVICE_UNAVAILABLE",
        http: { status: 503, headers: { "retry-after": retryAfter } },
      },
    });
  }
  return null;
}

/** Pothos' refusals of an argument, reworded to say what to do. */
function pothosRefusal(
  message: string,
  at: (code: string, extensions?: Record<string, unknown>, message?: string) => GraphQLError,
): GraphQLError {
  const pageSize = /^Argument "(first|last)" must be a non-negative integer/.exec(message);
  if (pageSize) {
    return at(
      "PAGE_SIZE_EXCEEDED",
      { argument: pageSize[1], max: MAX_PAGE_SIZE },
      `${pageSize[1]} may be at most ${MAX_PAGE_SIZE} (the maximum page size) and not negative: ask for up to ${MAX_PAGE_SIZE} and page on with the cursors.`,
    );
  }
  if (/^Invalid global ID|^ID: .* is not of type/.test(message)) {
    return at(
      "BAD_USER_INPUT",
      {},
      "An ID given is not a global ID of the expected type: use the `id` field of the object you mean, exactly as this API returned it.",
    );
  }
  return at(
    "BAD_USER_INPUT",
    {},
    `${message.replace(/\.$/, "")}: correct the argument as its description in the schema says.`,
  );
}
