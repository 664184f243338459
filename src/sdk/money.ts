// Money as records carry it: an exact decimal string (never a float) with its ISO 4217 currency, and
// how many decimals a currency's amounts usually show, for plugins that receive amounts in minor units.
import { z } from "zod";

const currencies = new Set(Intl.supportedValuesOf("currency"));

/** Money that moved: an exact decimal string (never a float) and its ISO 4217 currency. */
export const moneySchema = z.object({
  amount: z
    .string()
    .trim()
    .regex(
      /^-?\d{1,15}(\.\d{1,4})?$/,
      'An amount is a decimal string with at most 15 digits before the point and 4 after, such as "19.99".',
    ),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .refine((code) => currencies.has(code), "A currency is an ISO 4217 code, such as EUR or USD."),
});

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
