// The connector's logger redacts the connector's secret values on values, not on serialized text:
// issue 14 found that a secret "4711" beside a field 47110 made the old text scrubber throw, and that
// a secret containing a quote leaked (JSON escapes the quote, so the text never matched).
import { describe, expect, test } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { createConnectorLogger } from "../../src/sdk/logger.ts";
import { REDACTED } from "../../src/sdk/secrets.ts";

function capture() {
  const lines: unknown[][] = [];
  const push = (...args: unknown[]) => lines.push(args);
  return { lines, sink: { debug: push, info: push, warn: push, error: push } };
}

describe("a connector's logger", () => {
  test("redacts a secret 4711 without touching a field 47110 beside it", () => {
    const { lines, sink } = capture();
    const logger = createConnectorLogger(sink, { secrets: ["4711"] });
    logger.info("page fetched", { orderId: 47110, pin: 4711, token: "4711", note: "pin is 4711" });
    expect(lines).toEqual([
      ["page fetched", { orderId: 47110, pin: REDACTED, token: REDACTED, note: `pin is ${REDACTED}` }],
    ]);
  });

  test("redacts a secret that contains a quote and a backslash, wherever it appears", () => {
    const secret = "pa\"ss\\wo'rd";
    const { lines, sink } = capture();
    const logger = createConnectorLogger(sink, { prefix: "[connector shop]", secrets: [secret] });
    const failure = new Error(`login with ${secret} refused`, { cause: { sent: secret } });
    logger.warn(`retrying ${secret}`, {
      detail: `the key ${secret} was refused`,
      nested: { list: [secret, { deeper: secret }] },
      [secret]: "as a key too",
      error: failure,
    });
    const [line] = lines;
    const text = JSON.stringify(line, (_key, value) =>
      value instanceof Error ? { message: value.message, stack: value.stack, cause: value.cause } : value,
    );
    expect(text).not.toContain('pa\\"ss');
    expect(text).not.toContain("ss\\\\wo");
    expect(line?.[0]).toBe(`[connector shop] retrying ${REDACTED}`);
    const fields = line?.[1] as Record<string, unknown>;
    expect(fields.detail).toBe(`the key ${REDACTED} was refused`);
    expect(fields.nested).toEqual({ list: [REDACTED, { deeper: REDACTED }] });
    expect(fields[REDACTED]).toBe("as a key too");
    // An error stays an error, so the hub's logger still shows its (redacted) stack.
    expect(fields.error).toBeInstanceOf(Error);
    expect((fields.error as Error).message).toBe(`login with ${REDACTED} refused`);
    expect((fields.error as Error).stack).toContain(`login with ${REDACTED} refused`);
    expect((fields.error as Error).cause).toEqual({ sent: REDACTED });
  });

  test("logs a cyclic or hostile value instead of throwing", () => {
    const { lines, sink } = capture();
    const logger = createConnectorLogger(sink, { secrets: ["s3cr3t-token"] });
    const cyclic: Record<string, unknown> = { name: "s3cr3t-token here" };
    cyclic.self = cyclic;
    const hostile = Object.defineProperty({}, "boom", {
      enumerable: true,
      get() {
        throw new Error("getter failed");
      },
    });
    expect(() => logger.error("odd values", { cyclic, hostile, big: 10n, when: new Date(0) })).not.toThrow();
    expect(lines[0]?.[1]).toEqual({
      cyclic: { name: `${REDACTED} here`, self: "[Circular]" },
      hostile: { boom: "[Unreadable: getter failed]" },
      big: 10n,
      when: new Date(0),
    });
  });

  test("through the hub's logger: one JSON line, no secret in the bytes written", () => {
    const written: string[] = [];
    const hub = createLogger("debug", { destination: { write: (line: string) => written.push(line) } });
    const secret = 'to"ken-4711';
    const logger = createConnectorLogger(hub, { prefix: "[connector shop]", secrets: [secret] });
    logger.info(`GET /orders?key=${secret}`, { orderId: 47110, error: new Error(`refused ${secret}`) });
    expect(written).toHaveLength(1);
    expect(written.join("")).not.toContain('to\\"ken');
    const line = JSON.parse(written[0] as string);
    expect(line).toMatchObject({
      level: "info",
      msg: `[connector shop] GET /orders?key=${REDACTED}`,
      orderId: 47110,
      error: { message: `refused ${REDACTED}` },
    });
  });
});
