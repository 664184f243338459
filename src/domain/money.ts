// Money as people read it: exact decimals, written with the currency's usual minor units
// ("1234.50" EUR, "1200" JPY), never rounded below the precision that was stored.
import type { Prisma } from "../generated/prisma/client.ts";
import { currencyMinorUnits } from "../sdk/money.ts";

// Defined in the SDK, which plugins share; re-exported for the hub's own readers of money.
export { currencyMinorUnits };

export function formatAmount(amount: Prisma.Decimal, currency: string): string {
  return amount.toFixed(Math.max(currencyMinorUnits(currency), amount.decimalPlaces()));
}
