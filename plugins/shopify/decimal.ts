// Exact decimal arithmetic on Shopify's money strings. Amounts never become floats: they are compared,
// summed and written in one canonical form, so that the GraphQL Admin API ("85.0") and a webhook's
// REST payload ("85.00") give the same record for the same money.

import { currencyMinorUnits } from "cx-hub/sdk";

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * The canonical form of an amount: trailing zeros dropped, then padded to the currency's minor unit
 * ("85.0" USD → "85.00", "1000.00" JPY → "1000", "1.005" USD stays "1.005": digits are never lost).
 * A value that is not a decimal comes back unchanged, for the hub's validation to refuse with its reason.
 */
export function normalizeAmount(amount: string, currency: string): string {
  const match = DECIMAL.exec(amount.trim());
  if (!match) return amount;
  const [, sign = "", whole = "0", rawFraction = ""] = match;
  let fraction = rawFraction.replace(/0+$/, "");
  const digits = currencyMinorUnits(currency);
  if (fraction.length < digits) fraction = fraction.padEnd(digits, "0");
  const integer = whole.replace(/^0+(?=\d)/, "");
  return `${sign}${integer}${fraction ? `.${fraction}` : ""}`;
}

/** The exact sum of decimal strings, or undefined when one of them is not a decimal. */
export function sumDecimals(values: string[]): string | undefined {
  const parsed = values.map((value) => DECIMAL.exec(value.trim()));
  if (parsed.some((match) => match === null)) return undefined;
  const scale = Math.max(0, ...parsed.map((match) => match?.[3]?.length ?? 0));
  let total = 0n;
  for (const match of parsed) {
    if (!match) continue;
    const [, sign, whole = "0", fraction = ""] = match;
    const units = BigInt(`${whole}${fraction.padEnd(scale, "0")}`);
    total += sign === "-" ? -units : units;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, "0");
  const integer = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? "-" : ""}${integer}${scale > 0 ? `.${fraction}` : ""}`;
}
