// answeringFailures (src/server/failure-responses.ts): a door that fails, at once or later, is
// answered with the JSON failure response and the failure is logged; a door with nothing to do for
// a request answers at once, without a promise, and one that waits is waited for.
import type { Plugin } from "graphql-yoga";
import { describe, expect, test } from "vitest";
import type { Logger } from "../../src/logger.ts";
import { answeringFailures } from "../../src/server/failure-responses.ts";

type OnRequest = NonNullable<Plugin["onRequest"]>;

function guarded(onRequest: OnRequest) {
  const logged: unknown[][] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (...a) => logged.push(a),
    error: (...a) => logged.push(a),
  };
  const answers: Response[] = [];
  const payload = {
    endResponse: (response: Response) => answers.push(response),
  } as unknown as Parameters<OnRequest>[0];
  const door = answeringFailures({ onRequest }, logger).onRequest;
  if (!door) throw new Error("answeringFailures dropped the door");
  return { run: () => door(payload), answers, logged };
}

async function bodyOf(response: Response | undefined) {
  return { status: response?.status, body: await response?.json() };
}

describe("answeringFailures", () => {
  test("a door with nothing to do answers at once, without a promise", () => {
    const { run, answers } = guarded(() => undefined);
    expect(run()).toBeUndefined();
    expect(answers).toEqual([]);
  });

  test("a door that throws at once is answered with a 500 in JSON, and logged", async () => {
    const { run, answers, logged } = guarded(() => {
      throw new Error("broken door");
    });
    expect(run()).toBeUndefined();
    expect(await bodyOf(answers[0])).toEqual({
      status: 500,
      body: {
        errors: [
          {
            message: expect.stringContaining("failure is logged"),
            extensions: { code: "INTERNAL_SERVER_ERROR" },
          },
        ],
      },
    });
    expect(logged).toHaveLength(1);
  });

  test("a door that fails later is answered the same, once its promise settles", async () => {
    const { run, answers, logged } = guarded(() => Promise.reject(new Error("broken later")));
    const settled = run();
    expect(settled).toBeInstanceOf(Promise);
    await settled;
    expect((await bodyOf(answers[0])).status).toBe(500);
    expect(logged).toHaveLength(1);
  });

  test("a door that waits and succeeds is waited for, and answers nothing of its own", async () => {
    let done = false;
    const { run, answers } = guarded(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      done = true;
    });
    await run();
    expect(done).toBe(true);
    expect(answers).toEqual([]);
  });
});
