// Reads the CDNOW purchase logs shipped in prisma/demo/cdnow (a real CD retailer's customers,
// January 1997 to June 1998; see the README there for its source and license).
import { readFile } from "node:fs/promises";
import { projectPath } from "../project-files.ts";

export const CDNOW_DIR = `${projectPath("prisma", "demo", "cdnow")}/`;

export interface CdnowPurchase {
  /** The customer's id in the master file. */
  customerId: string;
  /** The calendar day of the purchase (the data has no time of day), as YYYY-MM-DD. */
  day: string;
  cds: number;
  /** Dollars, as written in the file (two decimals). */
  dollars: string;
  /** 1-based line number in the file: a stable id for the purchase. */
  line: number;
}

/**
 * Parses a CDNOW log. The sample has five columns (master id, sample id, date, CDs, dollars) and no
 * header; the master file has four and a header line.
 */
export function parseCdnow(text: string): CdnowPurchase[] {
  const purchases: CdnowPurchase[] = [];
  const lines = text.split("\n");
  for (const [index, raw] of lines.entries()) {
    const fields = raw.trim().split(/\s+/);
    if (fields.length < 4 || !/^\d+$/.test(fields[0] ?? "")) continue; // header or blank line
    const [customerId, date, cds, dollars] =
      fields.length >= 5 ? [fields[0], fields[2], fields[3], fields[4]] : fields;
    if (!customerId || !date || !cds || !dollars || !/^\d{8}$/.test(date)) {
      throw new Error(`CDNOW line ${index + 1} is not "id [sample-id] YYYYMMDD cds dollars": ${raw}`);
    }
    purchases.push({
      customerId: String(Number(customerId)),
      day: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`,
      cds: Number(cds),
      dollars,
      line: index + 1,
    });
  }
  return purchases;
}

export async function readCdnowSample(): Promise<CdnowPurchase[]> {
  return parseCdnow(await readFile(`${CDNOW_DIR}CDNOW_sample.txt`, "utf8"));
}

export async function readCdnowMaster(): Promise<CdnowPurchase[]> {
  return parseCdnow(await readFile(`${CDNOW_DIR}CDNOW_master.txt`, "utf8"));
}
