// The model in use is the newest row as it stands now: a row read before is not served again once it
// changed in place (a repair by hand) or a newer fit arrived, though rescoring no longer re-reads and
// re-parses an unchanged row on every write.
import { describe, expect } from "vitest";
import { currentScoreModel } from "../../src/scoring/score-model.ts";
import { test } from "../helpers/database.ts";

const model = (fittedAt: Date, r: number) => ({
  version: `bgnbd-gg@${fittedAt.toISOString()}`,
  calibrationEnd: fittedAt,
  currency: "USD",
  customersFitted: 10,
  repeatCustomersFitted: 5,
  bgNbd: { r, alpha: 4, a: 0.8, b: 2.4 },
  bgNbdLogLikelihood: -100,
  bgNbdConverged: true,
  fitMilliseconds: 1,
  fittedAt,
});

describe("currentScoreModel", () => {
  test("answers the newest row as it stands: a change in place or a newer fit is seen at once", async ({
    db,
  }) => {
    expect(await currentScoreModel(db.prisma)).toBeNull();
    const first = await db.prisma.scoreModel.create({ data: model(new Date("2026-01-01T00:00:00Z"), 0.25) });
    expect((await currentScoreModel(db.prisma))?.bgNbd.r).toBe(0.25);
    expect((await currentScoreModel(db.prisma))?.bgNbd.r).toBe(0.25);

    await db.prisma.scoreModel.update({
      where: { id: first.id },
      data: { bgNbd: { r: 0.5, alpha: 4, a: 0.8, b: 2.4 } },
    });
    expect((await currentScoreModel(db.prisma))?.bgNbd.r).toBe(0.5);

    const second = await db.prisma.scoreModel.create({ data: model(new Date("2026-02-01T00:00:00Z"), 0.75) });
    expect(await currentScoreModel(db.prisma)).toMatchObject({ id: second.id, bgNbd: { r: 0.75 } });
  });
});
