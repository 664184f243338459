// The external check, end to end: the real CDNOW sample ingested as the demo's orders (with their
// generated times of day, on a shifted calendar, beside emails and surveys), refitted through the
// GraphQL API with the papers' 39-week calibration period, reproduces the published parameters.
// The pure-model tests (test/scoring/models) check the same from the summary file.
import { describe, expect } from "vitest";
import { loadDemoData } from "../../src/demo/load-demo-data.ts";
import { scoringPolicySchema } from "../../src/policy/scoring-policy.ts";
import { RefitScoreModelDocument } from "../generated/graphql/graphql.ts";
import { test } from "../helpers/database.ts";
import { createTestClient } from "../helpers/graphql.ts";

const DAY_MS = 86_400_000;
const now = new Date("2026-11-23T12:00:00Z");
/** The demo moves CDNOW so that its last day (1998-06-30) is yesterday. */
const shift = Date.UTC(2026, 10, 22) - Date.UTC(1998, 5, 30);
/** The end of the calibration period's last day, 1997-09-30, on the demo's calendar. */
const calibrationEnd = new Date(Date.UTC(1997, 8, 30) + shift + DAY_MS - 1);

/** Fader, Hardie & Lee (2005), "Counting your customers the easy way"; and "RFM and CLV" (2005). */
const PUBLISHED = {
  bgNbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
  gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
};

function expectWithinOnePercent(fitted: Record<string, unknown>, published: Record<string, number>) {
  for (const [name, value] of Object.entries(published)) {
    const error = Math.abs(Number(fitted[name] ?? Number.NaN) - value) / value;
    expect(error, `${name}: fitted ${fitted[name]}, published ${value}`).toBeLessThan(0.01);
  }
}

// The whole demo (or CDNOW) through the write pipeline: 15–30 s on a quiet machine, and more than
// the suite's 2-minute timeout when the machine runs five times its cores' work, as CI may.
describe("CDNOW through the hub", { timeout: 300_000 }, () => {
  test("a refit on the ingested orders reproduces the published BG/NBD and Gamma-Gamma parameters", async ({
    db,
  }) => {
    await loadDemoData(db.prisma, { now });
    // The papers fit BG/NBD; the hub's default is MBG/NBD (test/scoring/models checks it on CDNOW).
    const admin = await createTestClient(db, {
      scoringPolicy: scoringPolicySchema.parse({ purchaseModel: "BG" }),
    });
    const result = await admin.execute(RefitScoreModelDocument, {
      input: { calibrationEnd: calibrationEnd.toISOString(), rescore: false },
    });
    expect(result.errors).toBeUndefined();
    const payload = result.data?.refitScoreModel;
    if (payload?.__typename !== "RefitScoreModelPayload")
      throw new Error(`refit failed: ${payload?.__typename}`);
    // Every sample customer bought in the first quarter of 1997, so all 2,357 are fitted; 946
    // of them bought again within the calibration period.
    expect(payload.model).toMatchObject({ customersFitted: 2357, repeatCustomersFitted: 946 });
    expectWithinOnePercent(payload.model.repeatPurchaseModel, PUBLISHED.bgNbd);
    expect(payload.model.repeatPurchaseModel.logLikelihood).toBeCloseTo(-9582.4, 0);
    expect(payload.model.repeatPurchaseModel.parametersAtBound).toEqual([]);
    expectWithinOnePercent(payload.model.spendModel ?? {}, PUBLISHED.gammaGamma);
  }, 120_000);
});
