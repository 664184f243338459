// What yoga logs, in the hub's terms. Yoga logs every error it hides or rewrites for the client; most
// of those are the client's own mistakes (a NotFoundError, ForbiddenError, ValidationError,
// ConflictError from the domain), which the client is told about and the operator needs only to
// count: an info line without a stack. Anything else is a bug: an error line with the stack.
import { GraphQLError } from "graphql";
import { toClientError } from "../graph/errors.ts";
import type { Logger } from "../logger.ts";

export function createYogaLogger(logger: Logger): Logger {
  return {
    debug: (...args) => logger.debug(...args),
    info: (...args) => logger.info(...args),
    warn: (...args) => logger.warn(...args),
    error: (...args) => {
      const [error, ...rest] = args;
      const located = error instanceof GraphQLError ? error : undefined;
      const path = located?.path?.join(".");
      const mistake = toClientError(error);
      if (mistake) {
        logger.info(`Client error ${String(mistake.extensions.code)}: ${mistake.message}`, {
          code: mistake.extensions.code,
          ...(path && { path }),
        });
        return;
      }
      logger.error(
        "Unexpected error while serving a request:",
        located?.originalError ?? error,
        ...rest,
        ...(path ? [{ path }] : []),
      );
    },
  };
}
