import { describe, expect, test } from "vitest";
import { busyCores, parseProcStatCpu } from "./machine-cpu.ts";

describe("the machine's CPU from /proc/stat", () => {
  test("busy ticks leave out idle and iowait; guest time is not counted twice", () => {
    const ticks = parseProcStatCpu(
      "cpu  100 5 50 800 20 3 2 1 40 0\ncpu0 50 2 25 400 10 1 1 0 20 0\nintr 1 2 3\n",
    );
    expect(ticks).toEqual({ busy: 100 + 5 + 50 + 3 + 2 + 1, total: 161 + 800 + 20 });
  });

  test("busy cores between two readings", () => {
    const from = { busy: 1000, total: 4000 };
    expect(busyCores(from, { busy: 1150, total: 4200 }, 2)).toBeCloseTo(1.5);
    expect(busyCores(from, from, 2)).toBe(0);
  });

  test("text without the aggregate line is refused, not read as an idle machine", () => {
    expect(() => parseProcStatCpu("cpu0 1 2 3 4 5 6 7 8\n")).toThrow(/no aggregate cpu line/);
    expect(() => parseProcStatCpu("cpu  1 2 x 4 5 6 7 8\n")).toThrow(/no aggregate cpu line/);
  });
});
