// Erasing a person's data (a provider's privacy erase, or the provider deleting the customer).
// An erasure anonymises rather than deletes, so that aggregate figures stay true:
//   removed:  the customer's identities (emails, phones, handles, ids: the customer can no longer be
//             found by them), display name and traits; every interaction's summary, body, metadata and
//             conversation id; every survey comment; merge reasons and trait conflicts (they quote
//             identities and traits); alert resolution notes, and the name and notes in the customer's
//             outgoing webhook events; earlier exports of the customer; pending
//             dead letters whose raw payload quotes one of the customer's identities (best effort).
//   kept:     the customer row (a pseudonymous id), lifecycle stage, owner, first/last seen; each
//             interaction's channel, kind, direction, time, amount and sentiment; each answer's kind,
//             score and time; journeys and scores. Revenue, CLV, NPS and funnels keep counting them.
// Customers merged into the erased one are erased too. A later record naming the same email starts a
// new customer: the erased one cannot be re-identified.
import type { Db as Database } from "../../db/database.ts";
import { eraseWebhookEventData } from "../../domain/webhooks/webhook-events.ts";
import { Prisma } from "../../generated/prisma/client.ts";

export interface ErasureSummary {
  customers: number;
  identities: number;
  interactions: number;
  feedback: number;
  merges: number;
  deadLetters: number;
  exports: number;
}

export interface EraseOptions {
  customerIds: string[];
  /** With externalIds: records of this connector the request names (Shopify's orders_to_redact). */
  source?: string;
  externalIds?: string[];
}

const ERASED_REASON = "(details erased at the customer's request)";

export async function eraseCustomers(tx: Database, options: EraseOptions): Promise<ErasureSummary> {
  const merged = await tx.customer.findMany({
    where: { mergedIntoId: { in: options.customerIds } },
    select: { id: true },
  });
  const ids = [...new Set([...options.customerIds, ...merged.map((row) => row.id)])];
  const named =
    options.source && options.externalIds?.length
      ? [{ source: options.source, externalId: { in: options.externalIds } }]
      : [];
  const identities = await tx.identity.findMany({
    where: { customerId: { in: ids } },
    select: { kind: true, value: true },
  });

  const ofCustomers = { customerId: { in: ids } };
  const summary: ErasureSummary = {
    customers: (
      await tx.customer.updateMany({ where: { id: { in: ids } }, data: { displayName: null, traits: {} } })
    ).count,
    identities: (await tx.identity.deleteMany({ where: ofCustomers })).count,
    interactions: (
      await tx.interaction.updateMany({
        where: { OR: [ofCustomers, ...named] },
        data: { summary: null, body: null, metadata: Prisma.DbNull, conversationId: null },
      })
    ).count,
    feedback: (
      await tx.feedback.updateMany({ where: { OR: [ofCustomers, ...named] }, data: { comment: null } })
    ).count,
    merges: (
      await tx.customerMerge.updateMany({
        where: { OR: [{ survivorId: { in: ids } }, { mergedId: { in: ids } }] },
        data: { reason: ERASED_REASON, traitConflicts: [] },
      })
    ).count,
    deadLetters: await scrubDeadLetters(tx, identities),
    exports: (
      await tx.privacyRequest.updateMany({
        where: { action: "EXPORT", customerIds: { hasSome: ids } },
        data: { export: Prisma.DbNull },
      })
    ).count,
  };
  await tx.alert.updateMany({ where: ofCustomers, data: { resolutionNote: null } });
  await eraseWebhookEventData(tx, ids);
  return summary;
}

/**
 * Pending dead letters quoting one of the identities: their payload is replaced and they are
 * discarded. Emails match case-insensitively anywhere (raw payloads carry them un-normalized); other
 * values match only as a whole JSON string, so a short id does not wipe unrelated letters.
 */
async function scrubDeadLetters(tx: Database, identities: Array<{ kind: string; value: string }>) {
  if (identities.length === 0) return 0;
  const emails = identities.filter((i) => i.kind === "EMAIL").map((i) => i.value.toLowerCase());
  const quoted = identities.filter((i) => i.kind !== "EMAIL").map((i) => JSON.stringify(i.value));
  // The dash as an escape: the bundle keeps a tagged template's text as written, and one character
  // outside ASCII would make V8 hold the whole bundled file as two bytes a character (build.ts).
  return tx.$executeRaw`
    UPDATE "DeadLetter"
       SET "payload" = '(erased at the customer''s request)', "headers" = NULL, "details" = NULL,
           "status" = 'DISCARDED', "resolvedAt" = now(),
           "reason" = "reason" || ' \u2014 erased at the customer''s request'
     WHERE "status" = 'PENDING'
       AND (EXISTS (SELECT 1 FROM unnest(${emails}::text[]) e WHERE strpos(lower("payload"), e) > 0)
         OR EXISTS (SELECT 1 FROM unnest(${quoted}::text[]) q WHERE strpos("payload", q) > 0))`;
}
