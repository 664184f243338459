// A measured section's rounds keep the median one whole, so its figures (time, CPU, memory, the
// engine's timings) stay those of one run rather than a mix of several.

/** The round whose `measure` is the median (the lower middle one of an even count). */
export function medianRound<T>(rounds: T[], measure: (round: T) => number): T {
  const sorted = rounds.toSorted((a, b) => measure(a) - measure(b));
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (median === undefined) throw new Error("No measured round to take the median of.");
  return median;
}
