// Cursors of the live alert stream: an alert's stream position, opaque to clients. A subscriber that
// reconnects passes the last one it received as `since` and gets every alert published after it.
import { ValidationError } from "../domain/errors.ts";

const PREFIX = "alert-stream:";

export function encodeStreamCursor(position: bigint): string {
  return Buffer.from(`${PREFIX}${position}`).toString("base64url");
}

/** The position in a cursor; a ValidationError naming `argument` when it is not one. */
export function decodeStreamCursor(cursor: string, argument = "since"): bigint {
  const text = Buffer.from(cursor, "base64url").toString();
  const digits = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : "";
  if (!/^\d{1,19}$/.test(digits)) {
    throw new ValidationError(
      `${argument} is not an alert stream cursor: pass the cursor of the last churnRiskAlerts event you received, or the streamCursor of an alerts query.`,
      [{ path: [argument], message: "not an alert stream cursor" }],
    );
  }
  return BigInt(digits);
}
