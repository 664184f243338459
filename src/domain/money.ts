// Money as people read it: exact decimals, written with the currency's usual minor units
// ("1234.50" EUR, "1200" JPY), never rounded below the precision that was stored.
import type { Prisma } from "../generated/prisma/client.ts";

const minorUnits = new Map<string, number>();

/** Digits after the decimal point that a currency normally shows (2 for EUR, 0 for JPY, 3 for KWD). */
export function currencyMinorUnits(currency: string): number {
  let digits = minorUnits.get(currency);
  if (digits === undefined) {
    try {
      digits =
        new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
          .maximumFractionDigits ?? 2;
    } catch {
      digits = 2; // Not an ISO 4217 code Intl knows; two decimals is the common case.
    }
    minorUnits.set(currency, digits);
  }
  return digits;
}

export function formatAmount(amount: Prisma.Decimal, currency: string): string {
  return amount.toFixed(Math.max(currencyMinorUnits(currency), amount.decimalPlaces()));
}
