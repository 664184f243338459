// The hub's logger: JSON lines at the configured level, secrets redacted by their field names, and
// the fields of the work in progress (a request id) on every line logged while doing it.
import { describe, expect, test } from "vitest";
import type { LogLevel } from "../src/config.ts";
import { createLogger, withLogFields } from "../src/logger.ts";
import { REDACTED } from "../src/sdk/secrets.ts";

function memoryLogger(level: LogLevel) {
  const written: string[] = [];
  const logger = createLogger(level, { destination: { write: (line: string) => written.push(line) } });
  return { logger, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>), written };
}

describe("the hub's logger", () => {
  test("writes one JSON object per line with level, ISO time, message and fields", () => {
    const { logger, written, lines } = memoryLogger("info");
    logger.info("Scored", 12, "customer(s).", { modelVersion: "mbg-1" });
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/\n$/);
    const [line] = lines();
    expect(line).toMatchObject({ level: "info", msg: "Scored 12 customer(s).", modelVersion: "mbg-1" });
    expect(new Date(line?.time as string).toISOString()).toBe(line?.time);
    expect(line).toHaveProperty("pid", process.pid);
  });

  test("writes nothing below its level, and nothing at all when silent", () => {
    const info = memoryLogger("info");
    info.logger.debug("too detailed");
    info.logger.warn("worth a look");
    expect(info.lines().map((line) => line.level)).toEqual(["warn"]);
    const silent = memoryLogger("silent");
    silent.logger.error("unheard");
    expect(silent.written).toEqual([]);
  });

  test("keeps an error's type, message and stack under err", () => {
    const { logger, lines } = memoryLogger("info");
    logger.error("Publishing failed:", new TypeError("socket closed"));
    const line = lines()[0] ?? {};
    expect(line.msg).toBe("Publishing failed:");
    expect(line.err).toMatchObject({ type: "TypeError", message: "socket closed" });
    expect((line.err as { stack: string }).stack).toMatch(/^TypeError: socket closed\n\s+at /);
  });

  test("redacts secret fields by name, at the top and one level down", () => {
    const { logger, written, lines } = memoryLogger("info");
    logger.info("calling the provider", {
      headers: { authorization: "Bearer cxh_top_secret", "x-api-key": "cxh_other_secret", accept: "json" },
      apiKey: "cxh_key_secret",
      config: { accessToken: "shpat_secret", shop: "acme" },
      password: 'pa"ss',
    });
    const text = written.join("");
    for (const secret of [
      "cxh_top_secret",
      "cxh_other_secret",
      "cxh_key_secret",
      "shpat_secret",
      'pa\\"ss',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(lines()[0]).toMatchObject({
      headers: { authorization: REDACTED, "x-api-key": REDACTED, accept: "json" },
      apiKey: REDACTED,
      config: { accessToken: REDACTED, shop: "acme" },
      password: REDACTED,
    });
  });

  test("puts the fields of the work in progress on every line, across awaits, and only there", async () => {
    const { logger, lines } = memoryLogger("info");
    await withLogFields({ requestId: "req-1" }, async () => {
      logger.info("started");
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.warn("still the same request");
    });
    logger.info("outside any request");
    expect(lines().map((line) => line.requestId)).toEqual(["req-1", "req-1", undefined]);
  });
});
