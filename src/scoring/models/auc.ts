// Area under the ROC curve, to check that a churn score ranks the customers who did churn above those
// who did not. It equals the Mann–Whitney probability that a random positive scores above a random
// negative, ties counting one half; computed from ranks after one sort, so O(n log n).

/**
 * AUC of `scores` (higher = more likely positive) against `labels` (true = positive), from the rank
 * sum of the positives with average ranks for tied scores: (R₊ − n₊(n₊+1)/2) / (n₊·n₋). 0.5 is a score
 * that ranks no better than chance, 1 a perfect ranking. Throws a RangeError when the lengths differ,
 * a score is NaN, or either class is empty (the AUC is undefined then).
 */
export function areaUnderRocCurve(scores: readonly number[], labels: readonly boolean[]): number {
  if (scores.length !== labels.length) {
    throw new RangeError(
      `AUC needs one label per score; got ${scores.length} scores and ${labels.length} labels.`,
    );
  }
  const positives = labels.filter(Boolean).length;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new RangeError(
      `AUC needs both positive and negative labels; got ${positives} positive and ${negatives} negative.`,
    );
  }
  if (scores.some(Number.isNaN)) throw new RangeError("AUC scores must be numbers; one is NaN.");

  // Compared, not subtracted: Infinity − Infinity would be NaN and break the sort.
  const order = scores
    .map((_, index) => index)
    .sort((i, j) => compare(scores[i] as number, scores[j] as number));
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    const value = scores[order[start] as number];
    let end = start + 1;
    while (end < order.length && scores[order[end] as number] === value) end++;
    // Ranks start + 1 … end (1-based) share their mean.
    const averageRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) if (labels[order[k] as number]) positiveRankSum += averageRank;
    start = end;
  }
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function compare(p: number, q: number): number {
  return p < q ? -1 : p > q ? 1 : 0;
}
