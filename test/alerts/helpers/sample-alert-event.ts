// A published alert with every kind of value the wire must keep: Dates (and a null one), a BigInt
// position past 2^53, nested reasons and traits.
import type { AlertDigestEvent, AlertEvent } from "../../../src/alerts/alert-event.ts";

export function sampleEvent(position = 9_007_199_254_740_993n): AlertEvent {
  return {
    position,
    alert: {
      id: "0190f5a2-0000-7000-8000-0000000000a1",
      customerId: "0190f5a2-0000-7000-8000-0000000000c1",
      ownerId: "0190f5a2-0000-7000-8000-0000000000b1",
      level: "HIGH",
      score: 0.6312,
      previousScore: 0.5,
      previousLevel: "MEDIUM",
      reasons: [
        {
          factor: "NPS",
          value: 0,
          contribution: 1.2,
          weight: 0.7,
          explanation: "Answered 0 to the NPS survey on 2026-11-01: a detractor.",
        },
        {
          factor: "UNANSWERED_MESSAGES",
          value: 2,
          contribution: 0.5,
          weight: 0.3,
          explanation: "2 messages have waited more than 48 hours without a reply.",
        },
      ],
      status: "OPEN",
      triggerKey: "0190f5a2-0000-7000-8000-0000000000c1:1",
      createdAt: new Date("2026-12-03T07:08:41.123Z"),
      acknowledgedAt: null,
      acknowledgedById: null,
      resolvedAt: null,
      resolvedById: null,
      resolutionReason: null,
      resolutionNote: null,
      snoozedUntil: new Date("2026-12-04T00:00:00.000Z"),
      publishedAt: new Date("2026-12-03T07:08:41.456Z"),
      streamPosition: position,
      digestId: null,
      raisedInTransaction: 7531n,
      customer: {
        id: "0190f5a2-0000-7000-8000-0000000000c1",
        displayName: "Zoë Martin",
        traits: { plan: "pro", seats: 12, tags: ["eu", { since: "2024" }], churned: false, note: null },
        lifecycleStage: "CUSTOMER",
        profileVersions: { shop: "2026-12-01T09:00:00.000+00:00" },
        ownerId: "0190f5a2-0000-7000-8000-0000000000b1",
        firstSeenAt: new Date("2024-02-29T10:00:00.000Z"),
        lastSeenAt: null,
        mergedIntoId: null,
        mergedAt: null,
        createdAt: new Date("2024-02-29T10:00:00.000Z"),
        updatedAt: new Date("2026-12-03T07:08:41.000Z"),
      },
    },
  };
}

/** A published digest: many alerts for one owner, standing in the stream as one. */
export function sampleDigestEvent(position = 9_007_199_254_740_994n): AlertDigestEvent {
  return {
    position,
    digest: {
      id: "0190f5a2-0000-7000-8000-0000000000d1",
      ownerId: "0190f5a2-0000-7000-8000-0000000000b1",
      alertCount: 12,
      highCount: 9,
      criticalCount: 3,
      createdAt: new Date("2026-12-03T07:08:41.123Z"),
      publishedAt: new Date("2026-12-03T07:08:41.456Z"),
      streamPosition: position,
    },
  };
}
