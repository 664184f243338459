// How errors reach clients. Domain errors become GraphQL errors with a `code` a client can switch on
// (and field paths for validation errors); anything else is a bug, logged and masked as
// "Unexpected error." so no internals leak. Mutations also return their expected failures as typed
// result members (see the errors plugin in builder.ts).
import { GraphQLError } from "graphql";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "../db/database-errors.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../domain/errors.ts";
import { SlowConsumerError } from "../streams/async-queue.ts";

export function toClientError(error: unknown): GraphQLError | null {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  const path = error instanceof GraphQLError ? error.path : undefined;
  const at = (code: string, extensions: Record<string, unknown> = {}) =>
    new GraphQLError((original as Error).message, { path, extensions: { code, ...extensions } });
  if (original instanceof ValidationError) return at("BAD_USER_INPUT", { issues: original.issues });
  if (original instanceof NotFoundError) return at("NOT_FOUND", { resource: original.resource });
  if (original instanceof ConflictError) return at("CONFLICT");
  if (original instanceof ForbiddenError) return at("FORBIDDEN");
  // A subscription ended because its client fell behind; the message says how to resume.
  if (original instanceof SlowConsumerError) return at("SLOW_CONSUMER", { limit: original.limit });
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
