// Row ids (src/db/uuid-v7.ts): the `uuid` package's v7, byte for byte, with its ordering guarantee.
import { v7 as packageV7, validate, version } from "uuid";
import { describe, expect, test } from "vitest";
import { createUuidV7, uuidv7, uuidv7Text } from "../../src/db/uuid-v7.ts";

describe("uuidv7", () => {
  test("writes what the uuid package writes for the same time, counter and random bytes", () => {
    const cases: Array<[number, number]> = [
      [0, 0],
      [1, 1],
      [Date.UTC(2026, 11, 6, 14, 50), 0x12345678],
      [Date.UTC(2026, 11, 6, 14, 50), -1],
      [Date.UTC(1997, 0, 1), 0x7fffffff],
      [2 ** 48 - 1, -0x80000000],
    ];
    for (const [msecs, seq] of cases) {
      for (let trial = 0; trial < 20; trial++) {
        const random = new Uint8Array(16).map(() => Math.floor(Math.random() * 256));
        random[10] = trial % 4 === 0 ? 0xff : (random[10] as number);
        const expected = packageV7({ msecs, seq, random });
        expect(uuidv7Text(msecs, seq, random, 10)).toBe(expected);
      }
    }
  });

  test("makes valid version 7 ids of the current millisecond", () => {
    const now = Date.UTC(2026, 11, 6, 15, 0, 0, 123);
    const id = createUuidV7(() => now)();
    expect(validate(id)).toBe(true);
    expect(version(id)).toBe(7);
    expect(id).toBe(id.toLowerCase());
    expect(Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBe(now);
    expect("89ab").toContain(id.charAt(19));
  });

  test("ids sort in the order they were made, within a millisecond and when the clock steps back", () => {
    let now = Date.UTC(2026, 11, 6, 15);
    const next = createUuidV7(() => now);
    const ids = Array.from({ length: 20_000 }, () => next());
    now = Date.UTC(2026, 11, 6, 14);
    ids.push(...Array.from({ length: 5_000 }, () => next()));
    now = Date.UTC(2026, 11, 6, 16);
    ids.push(...Array.from({ length: 5_000 }, () => next()));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  test("a later id of the process's generator sorts after an earlier one", () => {
    const first = uuidv7();
    expect(uuidv7() > first).toBe(true);
  });

  test("each id is its own string, not a view of a reused buffer", () => {
    const first = uuidv7();
    const copy = `${first}`;
    uuidv7();
    expect(first).toBe(copy);
  });
});
