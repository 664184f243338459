// The Redis bus refuses to start against a Redis nobody answers, with a sentence naming REDIS_URL
// (rather than retrying in the background while the server runs without live alerts).
import { createServer } from "node:net";
import { expect, test } from "vitest";
import { createRedisAlertBus } from "../../src/alerts/alert-bus.ts";
import { createLogger } from "../../src/logger.ts";

test("a REDIS_URL nobody answers stops start-up with a sentence saying what to do", async () => {
  // A port that was just free: nothing listens on it.
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address() as { port: number };
      probe.close(() => resolve(address.port));
    });
  });
  await expect(
    createRedisAlertBus({
      url: `redis://:secret@127.0.0.1:${port}`,
      channelPrefix: "cxhub-test:",
      logger: createLogger("silent"),
    }),
  ).rejects.toThrow(
    new RegExp(
      `^Cannot connect to Redis at redis://:\\*{5}@127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\): start Redis or correct REDIS_URL\\.$`,
    ),
  );
});
