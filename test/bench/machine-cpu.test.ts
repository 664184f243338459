import { describe, expect, test } from "vitest";
import { busyCores, parseProcStatCpu, waitForQuietMachine } from "./machine-cpu.ts";

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

describe("waiting for a quiet machine", () => {
  /** Readings whose windows were busy on `loads` cores in turn (100 ticks a window on 2 cores). */
  function machine(loads: number[]) {
    let busy = 0;
    let total = 0;
    let window = 0;
    const slept: number[] = [];
    return {
      slept,
      read: () => ({ busy, total }),
      sleep: async (ms: number) => {
        slept.push(ms);
        const load = loads[Math.min(window++, loads.length - 1)] ?? 0;
        busy += load * 50;
        total += 100;
      },
    };
  }

  test("returns once enough windows in a row were quiet, counting the wait", async () => {
    const { read, sleep, slept } = machine([1.8, 0.1, 1.5, 0.2, 0.1, 0.2, 1.9]);
    const wait = await waitForQuietMachine({ read, sleep, cores: 2, windows: 3, windowMs: 1000 });
    expect(wait).toEqual({ waitedSeconds: 6, busyCores: expect.closeTo(0.2), quiet: true });
    expect(slept).toHaveLength(6);
  });

  test("gives up after the timeout and says the machine was still busy", async () => {
    const { read, sleep } = machine([1.6]);
    const wait = await waitForQuietMachine({ read, sleep, cores: 2, windowMs: 500, timeoutMs: 2000 });
    expect(wait).toEqual({ waitedSeconds: 2, busyCores: expect.closeTo(1.6), quiet: false });
  });
});
