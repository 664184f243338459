// A published alert crosses two boundaries: the dispatcher's JSON rows and the Redis wire. Both give
// back exactly the alert that went in (Dates, BigInt positions, nested reasons), and refuse anything
// that is not one with a reason, rather than handing subscribers a half-built object.
import { describe, expect, test } from "vitest";
import {
  type AlertEvent,
  claimedAlertSchema,
  decodeAlertEvent,
  encodeAlertEvent,
} from "../../src/alerts/alert-event.ts";
import { sampleDigestEvent, sampleEvent } from "./helpers/sample-alert-event.ts";

describe("an alert event on the wire", () => {
  test("round-trips equal: Dates, a BigInt position past 2^53 and nested reasons and traits", () => {
    const event = sampleEvent();
    const decoded = decodeAlertEvent(encodeAlertEvent(event));
    if (!("event" in decoded)) throw new Error(`refused: ${decoded.refused}`);
    expect(decoded.event).toEqual(event);
    expect(decoded.event.position).toBe(9_007_199_254_740_993n);
    expect(decoded.event).toMatchObject({
      alert: { createdAt: expect.any(Date), customer: { lastSeenAt: null } },
    });
  });

  test("a digest round-trips too, and is refused for what is wrong with it, not for not being an alert", () => {
    const digest = sampleDigestEvent();
    expect(decodeAlertEvent(encodeAlertEvent(digest))).toEqual({ event: digest });
    expect(
      decodeAlertEvent(encodeAlertEvent({ ...digest, digest: { ...digest.digest, alertCount: 0 } })),
    ).toEqual({ refused: expect.stringMatching(/^it is not an alert event at digest\.alertCount: /) });
  });

  test.for([
    ["text that is not devalue", "garbage", /^it is not an encoded alert event \(.*JSON/],
    ["plain JSON of the event", JSON.stringify({ position: "1" }), /^it is not an encoded alert event/],
    [
      "another value",
      encodeAlertEvent({ hello: "world" } as unknown as AlertEvent),
      /^it is not an alert event at position: /,
    ],
    [
      "an alert without its customer",
      encodeAlertEvent({
        ...sampleEvent(),
        alert: { ...sampleEvent().alert, customer: undefined },
      } as unknown as AlertEvent),
      /^it is not an alert event at alert\.customer: /,
    ],
    [
      "a reason of an unknown factor",
      encodeAlertEvent({
        ...sampleEvent(),
        alert: {
          ...sampleEvent().alert,
          reasons: [{ factor: "MOOD", value: 1, contribution: 1, weight: 1, explanation: "" }],
        },
      }),
      /^it is not an alert event at alert\.reasons\.0\.factor: /,
    ],
    [
      "a date that is no date",
      encodeAlertEvent({ ...sampleEvent(), alert: { ...sampleEvent().alert, createdAt: new Date("nope") } }),
      /^it is not an alert event at alert\.createdAt: /,
    ],
    [
      "a position that is not the alert's",
      encodeAlertEvent({ ...sampleEvent(7n), alert: { ...sampleEvent(7n).alert, streamPosition: 8n } }),
      /^it is not an alert event at position: the position is not the alert's stream position$/,
    ],
  ] as const)("refuses %s, saying why", ([, message, reason]) => {
    const decoded = decodeAlertEvent(message);
    expect(decoded).toEqual({ refused: expect.stringMatching(reason) });
  });
});

describe("an alert the dispatcher claimed", () => {
  test("is read from its JSON rows back into the alert and customer rows", () => {
    const { alert } = sampleEvent(42n);
    const { customer, ...row } = alert;
    // As row_to_json writes them: timestamps with an offset, bigint as a number.
    const asJson = (value: object) =>
      JSON.parse(
        JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? Number(v) : v)).replaceAll(
          'Z"',
          '+00:00"',
        ),
      );
    expect(claimedAlertSchema.parse({ alert: asJson(row), customer: asJson(customer) })).toEqual(
      sampleEvent(42n),
    );
  });

  test("refuses a row without its stream position", () => {
    const { customer, ...row } = sampleEvent(42n).alert;
    const result = claimedAlertSchema.safeParse({
      alert: {
        ...JSON.parse(JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? Number(v) : v))),
        streamPosition: null,
      },
      customer: JSON.parse(JSON.stringify(customer)),
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["alert", "streamPosition"]);
  });
});
