// Two writers at once, in a set order: PostgreSQL only (the embedded database runs one transaction at
// a time). `first` runs in a transaction that stays open while `second` runs; it commits once `second`
// has finished or waits on a lock, so the interleaving under test is reached on a machine of any speed.
import type { Database } from "../../src/db/database.ts";

/** A promise and the call that resolves it (Promise.withResolvers is Node 22's). */
function signal(): { fired: Promise<void>; fire: () => void } {
  let fire: () => void = () => {};
  const fired = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fired, fire };
}

/** Runs `first` in a held transaction, then `second` beside it; answers with both results. */
export async function overlap<First, Second>(
  db: Database,
  first: (tx: Database["prisma"]) => Promise<First>,
  second: () => Promise<Second>,
): Promise<[First, Second]> {
  const held = signal();
  const firstWritten = signal();
  const open = db.prisma.$transaction(
    async (tx) => {
      const result = await first(tx as unknown as Database["prisma"]);
      firstWritten.fire();
      await held.fired;
      return result;
    },
    { timeout: 60_000 },
  );
  await firstWritten.fired;
  const next = second();
  let settled = false;
  await Promise.race([
    next
      .catch(() => undefined)
      .finally(() => {
        settled = true;
      }),
    waitingOnALock(db, () => settled),
  ]);
  held.fire();
  return [await open, await next];
}

/** Resolves once a connection to this database waits on a lock, or once `done` says to stop. */
async function waitingOnALock(db: Database, done: () => boolean): Promise<void> {
  while (!done()) {
    const [row] = await db.prisma.$queryRawUnsafe<Array<{ waiting: number }>>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if ((row?.waiting ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
