// A segment that writes can make customers enter, shared by the tests of segment entries (live and as
// outgoing webhooks): "Support contacts", which Bob already is when it is saved, and support messages
// written through the pipeline an hour after the population's instant.
import type { Database } from "../../../src/db/database.ts";
import { createSegment } from "../../../src/domain/segments/manage-segments.ts";
import { recordInteraction } from "../../helpers/writes.ts";
import { POPULATION_NOW, type Population } from "./segment-population.ts";

/** When the support messages are written. */
export const LATER = new Date(POPULATION_NOW.getTime() + 3600_000);

/** A support message from the customer, written through the pipeline at LATER. */
export function supportMessage(db: Database, customerId: string, externalId: string) {
  return recordInteraction(
    db.prisma,
    {
      customer: { id: customerId },
      source: "desk",
      externalId,
      channel: "SUPPORT",
      kind: "support.ticket.opened",
      direction: "INBOUND",
      occurredAt: LATER.toISOString(),
    },
    { clock: () => new Date(LATER) },
  );
}

/** A support message stored at LATER without the pipeline: no write announces that the customer entered. */
export function supportMessageOutsidePipeline(db: Database, customerId: string) {
  return db.prisma.interaction.create({
    data: {
      customerId,
      source: "desk",
      externalId: "imported",
      channel: "SUPPORT",
      kind: "support.ticket.opened",
      direction: "INBOUND",
      occurredAt: LATER,
    },
  });
}

/** Customers who contacted support, saved at the population's instant (Bob is its baseline). */
export function supportSegment(db: Database, population: Population) {
  return createSegment(
    db.prisma,
    { principalId: population.ana, mayEditAny: true },
    { name: "Support contacts", definition: { channel: "SUPPORT" } },
    POPULATION_NOW,
  );
}
