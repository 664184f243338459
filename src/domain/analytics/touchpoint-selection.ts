// Which touchpoints enter the key-touchpoints model as columns. The fit (driver-effects.ts) costs
// O(iterations × patterns × k²) for k columns and runs on the request's event loop, so k is capped:
// rarer touchpoints would only widen every interval, and an unbounded k let any caller (an account
// manager with a hundred journey stages) block the server for seconds.
import type { TouchpointFamily } from "./touchpoint-features.ts";

/** The most frequent interaction kinds that enter the model; rarer ones would only widen every interval. */
export const MAX_KIND_FEATURES = 20;
/** The most touchpoints of all families that enter the model: the fit's cost grows with their square. */
export const MAX_FEATURES = 40;

export interface Candidate {
  key: string;
  family: TouchpointFamily;
  customers: number;
  /** The patterns holding it, as a string: two candidates with the same customers are one column. */
  signature: string;
}

export interface FeatureSelection {
  /** The model's columns, in the order they enter it. */
  selected: Candidate[];
  /** Left out as too rare, too common, beyond the kinds' cap or identical to one kept. */
  leftOut: number;
  /** Eligible and distinct, but beyond MAX_FEATURES: the ones had by the fewest customers. */
  capped: Candidate[];
}

function familyOf(key: string): TouchpointFamily {
  if (key.startsWith("CHANNEL:")) return "CHANNEL";
  if (key.startsWith("KIND:")) return "INTERACTION_KIND";
  if (key.startsWith("STAGE:")) return "JOURNEY_STAGE";
  if (key.startsWith("SENTIMENT:")) return "SENTIMENT";
  return "RESPONSE_DELAY";
}

/** The order features enter the model, and which of two identical columns is kept: the more specific. */
const FAMILY_ORDER: readonly TouchpointFamily[] = [
  "RESPONSE_DELAY",
  "SENTIMENT",
  "JOURNEY_STAGE",
  "INTERACTION_KIND",
  "CHANNEL",
];

const byCustomers = (a: Candidate, b: Candidate) => b.customers - a.customers || a.key.localeCompare(b.key);
const byFamily = (a: Candidate, b: Candidate) =>
  FAMILY_ORDER.indexOf(a.family) - FAMILY_ORDER.indexOf(b.family) || a.key.localeCompare(b.key);

/** The columns of the model from the patterns the SQL read (`total` customers in all). */
export function selectFeatures(
  patterns: ReadonlyArray<{ features: string[]; customers: number }>,
  total: number,
  minCustomers: number,
): FeatureSelection {
  const found = new Map<string, Candidate & { patterns: number[] }>();
  patterns.forEach((pattern, index) => {
    for (const key of pattern.features) {
      const candidate = found.get(key) ?? {
        key,
        family: familyOf(key),
        customers: 0,
        signature: "",
        patterns: [],
      };
      candidate.customers += pattern.customers;
      candidate.patterns.push(index);
      found.set(key, candidate);
    }
  });
  const eligible = [...found.values()]
    .filter((c) => c.customers >= minCustomers && total - c.customers >= minCustomers)
    .map(({ patterns: held, ...c }) => ({ ...c, signature: held.join(",") }));
  const kinds = eligible
    .filter((c) => c.family === "INTERACTION_KIND")
    .sort(byCustomers)
    .slice(0, MAX_KIND_FEATURES);
  const ordered = [...eligible.filter((c) => c.family !== "INTERACTION_KIND"), ...kinds].sort(byFamily);
  const seen = new Set<string>();
  const distinct = ordered.filter((c) => !seen.has(c.signature) && seen.add(c.signature));
  const kept = [...distinct].sort(byCustomers);
  const capped = kept.slice(MAX_FEATURES);
  const selected = kept.slice(0, MAX_FEATURES).sort(byFamily);
  return { selected, leftOut: found.size - distinct.length, capped };
}
