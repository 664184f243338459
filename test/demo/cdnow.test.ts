import { describe, expect, test } from "vitest";
import { parseCdnow, readCdnowMaster, readCdnowSample } from "../../src/demo/cdnow.ts";

describe("the CDNOW logs", () => {
  test("the sample holds the 6,919 purchases of the papers' 2,357 customers", async () => {
    const purchases = await readCdnowSample();
    expect(purchases).toHaveLength(6919);
    expect(new Set(purchases.map((purchase) => purchase.customerId)).size).toBe(2357);
    expect(purchases[0]).toEqual({ customerId: "4", day: "1997-01-01", cds: 2, dollars: "29.33", line: 1 });
  });

  test("the master file holds 69,659 purchases of 23,570 customers", async () => {
    const purchases = await readCdnowMaster();
    expect(purchases).toHaveLength(69659);
    expect(new Set(purchases.map((purchase) => purchase.customerId)).size).toBe(23570);
  });

  test("refuses a line that is not a purchase, naming it", () => {
    expect(() => parseCdnow(" 00001 1997-01-01 1 11.77\n")).toThrow(/CDNOW line 1 is not/);
  });
});
