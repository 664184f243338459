// The CDNOW benchmark (prisma/demo/cdnow, see its README) as the models' tests read it, and the
// parameters Fader, Hardie & Lee published for it.
import { readFileSync } from "node:fs";
import type { BgNbdParameters, PurchaseHistory } from "../../../src/scoring/models/bg-nbd.ts";
import type { GammaGammaParameters } from "../../../src/scoring/models/gamma-gamma.ts";
import type { Purchase } from "../../../src/scoring/models/purchase-summary.ts";

const folder = new URL("../../../prisma/demo/cdnow/", import.meta.url);

/** End of the 39-week calibration period: 1997-09-30 (UTC). */
export const CALIBRATION_END = new Date(Date.UTC(1997, 8, 30));

/** FHL 2005, "Counting Your Customers the Easy Way", table of estimates (weeks). */
export const PUBLISHED_BG_NBD: BgNbdParameters = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
export const PUBLISHED_BG_NBD_LOG_LIKELIHOOD = -9582.4;
/** Fader & Hardie, "The Gamma-Gamma Model of Monetary Value" (2013), on the 946 repeat buyers. */
export const PUBLISHED_GAMMA_GAMMA: GammaGammaParameters = { p: 6.25, q: 3.74, gamma: 15.44 };

export interface SummaryRow extends PurchaseHistory {
  id: number;
  averageSpend: number;
}

/** cdnow_customers_summary_with_transactions.csv: ID, x, t_x, T, zbar (rounded to 0.01). */
export function readSummaryWithSpend(): SummaryRow[] {
  return readCsv("cdnow_customers_summary_with_transactions.csv").map(([id, x, tx, T, zbar]) => ({
    id: id as number,
    frequency: x as number,
    recency: tx as number,
    age: T as number,
    averageSpend: zbar as number,
  }));
}

/** cdnow_customers_summary.csv: ID, frequency, recency, T. */
export function readSummary(): Array<PurchaseHistory & { id: number }> {
  return readCsv("cdnow_customers_summary.csv").map(([id, x, tx, T]) => ({
    id: id as number,
    frequency: x as number,
    recency: tx as number,
    age: T as number,
  }));
}

/** CDNOW_sample.txt (master id, sample id, YYYYMMDD, CDs, dollars) grouped by sample id. */
export function readSamplePurchases(): Map<number, Purchase[]> {
  const byCustomer = new Map<number, Purchase[]>();
  for (const line of readFileSync(new URL("CDNOW_sample.txt", folder), "utf8").split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    const [, sampleId, date, , dollars] = fields as [string, string, string, string, string];
    const at = new Date(
      Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8))),
    );
    const id = Number(sampleId);
    const purchases = byCustomer.get(id) ?? [];
    purchases.push({ at, amount: Number(dollars) });
    byCustomer.set(id, purchases);
  }
  return byCustomer;
}

function readCsv(name: string): number[][] {
  const [, ...rows] = readFileSync(new URL(name, folder), "utf8").trim().split("\n");
  return rows.map((row) => row.split(",").map(Number));
}

/** |actual / expected − 1|. */
export function relativeError(actual: number, expected: number): number {
  return Math.abs(actual / expected - 1);
}
