// A stored purchase model is read through the schemas of its parameters: a damaged row fails naming
// itself and saying to refit, rather than feeding NaN into every score.
import { describe, expect, test } from "vitest";
import { StoredDataError } from "../../src/db/stored-json.ts";
import { toFittedModel } from "../../src/scoring/score-model.ts";

const record = {
  id: "0190f5a2-0000-7000-8000-0000000000aa",
  version: "bgnbd-gg@2026-11-23T00:00:00.000Z",
  calibrationEnd: new Date("2026-11-23T00:00:00Z"),
  currency: "USD",
  customersFitted: 2357,
  repeatCustomersFitted: 1000,
  bgNbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
  bgNbdLogLikelihood: -9582.4,
  bgNbdConverged: true,
  bgNbdAtBound: [],
  gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
  gammaGammaLogLikelihood: -4000,
  gammaGammaAtBound: [],
  churnModel: null,
  backtest: null,
  description: "",
  fitMilliseconds: 120,
  fittedAt: new Date("2026-11-23T00:00:01Z"),
};

describe("a stored purchase model", () => {
  test("reads its parameters, and no spend model when none was fitted", () => {
    expect(toFittedModel(record)).toMatchObject({ bgNbd: record.bgNbd, gammaGamma: record.gammaGamma });
    expect(toFittedModel({ ...record, gammaGamma: null }).gammaGamma).toBeNull();
  });

  test("reads a model fitted before churn-v2, without churn weights, as one that scores with the defaults", () => {
    expect(toFittedModel(record).churnWeights).toBeNull();
  });

  test("refuses damaged churn weights the same way", () => {
    expect(() => toFittedModel({ ...record, churnModel: { source: "LEARNED", horizonDays: 90 } })).toThrow(
      /^ScoreModel\.churnModel of ScoreModel .* does not have the shape this hub reads at baseLogOdds: .*Refit/,
    );
  });

  test("refuses damaged parameters, naming the row and column and saying to refit", () => {
    expect(() => toFittedModel({ ...record, bgNbd: { r: 0.243, alpha: "4.4", a: 0.793, b: 2.426 } })).toThrow(
      new StoredDataError(
        `ScoreModel.bgNbd of ScoreModel ${record.id} does not have the shape this hub reads at alpha: Invalid input: expected number, received string. Refit the purchase model (refitScoreModel): scores then use a model this hub can read.`,
        { table: "ScoreModel", column: "bgNbd", rowId: record.id },
      ),
    );
    expect(() => toFittedModel({ ...record, gammaGamma: { p: -1, q: 3.74, gamma: 15.44 } })).toThrow(
      /^ScoreModel\.gammaGamma of ScoreModel .* at p: Too small: expected number to be >0\. Refit/,
    );
  });
});
