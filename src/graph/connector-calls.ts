// What the connector modules of the API share when they call the connector engine: input paths for
// its validation errors, and secrets this hub cannot open as a typed conflict rather than a bug.
import { SecretBoxError } from "../connectors/secret-box.ts";
import { ConflictError, ValidationError } from "../domain/errors.ts";
import type { GraphContext } from "./context.ts";

/** The store's issue paths start at the input's fields; the API's start at the argument. */
export async function atInput<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      error.message,
      error.issues.map((issue) => ({ ...issue, path: ["input", ...issue.path] })),
    );
  }
}

/** Secrets this hub cannot open are the operator's to fix, not a bug. */
export async function openingSecrets<T>(context: GraphContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
    throw new ConflictError(
      context.connectors.secretKey
        ? error.message
        : "The connector's secrets cannot be opened without a key: set CXHUB_SECRET_KEY (the key they were stored with) and restart the hub.",
    );
  }
}
