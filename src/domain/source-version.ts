// The provider's own version of a fact (sourceUpdatedAt: when it last changed at the provider) decides
// which of two copies of one fact is the newer, not the order they arrive in. Webhooks are retried for
// hours and can be replayed by whoever captured one; a sync page can be read before a webhook for a
// later change lands. Without this, whichever came last would win, and an older copy could roll a
// fact back (an order's amount from 250 to an earlier 100).

/**
 * A copy is stale when both it and the stored fact carry a version and its version is older. An equal
 * version is not stale: providers write versions to the second, and two changes within one second
 * must both be able to land (the later one arriving last wins, as before). A copy without a version
 * makes no claim, so it is stored as the latest word, as it always was.
 */
export function isStaleVersion(stored: Date | null, incoming: Date | null | undefined): boolean {
  return stored !== null && incoming != null && incoming.getTime() < stored.getTime();
}

/** The version to keep after a copy that is not stale: its own, or the stored one when it has none. */
export function keptVersion(stored: Date | null, incoming: Date | null | undefined): Date | null {
  if (incoming == null) return stored;
  return stored !== null && stored.getTime() > incoming.getTime() ? stored : incoming;
}

/** Whether storing the copy moves the stored version forward (an update even when nothing else changed). */
export function advancesVersion(stored: Date | null, incoming: Date | null | undefined): boolean {
  return incoming != null && (stored === null || incoming.getTime() > stored.getTime());
}
