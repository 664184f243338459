// A delivery the hub cannot use, kept whole as a WEBHOOK_DELIVERY dead letter: its raw body (UTF-8 text,
// or base64 when it is not UTF-8 or holds a NUL), the headers needed to parse it again without credentials, the
// reason and the issues with their paths in the body. Replaying the letter runs the plugin's parse
// again (src/connectors/dead-letters/replay-dead-letter.ts), so nothing the provider sent is lost.
import type { Prisma } from "../../generated/prisma/client.ts";
import type { RecordIssue } from "../../sdk/records.ts";
import type { WebhookRequest } from "../../sdk/webhooks.ts";
import {
  type DeliveryDetails,
  replayableHeaders,
  writeDeadLetters,
} from "../dead-letters/write-dead-letters.ts";

export interface UnusableDelivery {
  connectorId: string;
  delivery: WebhookRequest;
  reason: string;
  issues: RecordIssue[];
  /** false when the plugin could not even read the body to check the signature. */
  verified: boolean;
}

/** Writes the dead letter in the caller's transaction (one PENDING letter per identical delivery). */
export async function keepUnusableDelivery(
  tx: Prisma.TransactionClient,
  unusable: UnusableDelivery,
): Promise<void> {
  const { delivery } = unusable;
  // PostgreSQL's text holds no NUL character: such a body is kept base64-encoded, like one that is not UTF-8.
  const decoded = decodeUtf8(delivery.rawBody);
  const text = decoded?.includes("\u0000") ? undefined : decoded;
  await writeDeadLetters(tx, { connectorId: unusable.connectorId }, [
    {
      kind: "WEBHOOK_DELIVERY",
      stream: "webhook",
      payload: text ?? Buffer.from(delivery.rawBody).toString("base64"),
      headers: replayableHeaders(delivery.headers),
      reason: unusable.reason,
      details: {
        verified: unusable.verified,
        encoding: text === undefined ? "base64" : "utf-8",
        method: delivery.method,
        url: delivery.url,
        ...(unusable.issues.length > 0 ? { issues: unusable.issues.map((issue) => ({ ...issue })) } : {}),
      } satisfies DeliveryDetails,
    },
  ]);
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
