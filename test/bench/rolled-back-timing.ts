// What the analysis benches share: measuring inside one transaction that is rolled back (so the bench
// database is left as it was, whatever the bench generated), and timing the hub beside a hand-written
// query in turn, so that the machine's load weighs on both alike.
import { type Db, fromPostgresUrl } from "../../src/db/database.ts";

class RollBack extends Error {}

/** Runs `measure` in a transaction on the database at `databaseUrl`, rolls it back, returns its figures. */
export async function measureRolledBack<F>(
  databaseUrl: string,
  name: string,
  measure: (db: Db) => Promise<F>,
): Promise<F> {
  const database = fromPostgresUrl(databaseUrl);
  let figures: { value: F } | null = null;
  try {
    // A rolled-back measurement leaves its rows behind as dead tuples, and a server running without
    // autovacuum (as this machine's does) never reclaims them: each run would then scan more than the
    // last, and both sides' times drift with how many runs came before. Vacuumed first, every run
    // reads the same tables.
    await database.prisma.$executeRawUnsafe("VACUUM (ANALYZE)");
    await database.prisma
      .$transaction(
        async (tx) => {
          figures = { value: await measure(tx) };
          throw new RollBack();
        },
        { timeout: 600_000, maxWait: 10_000 },
      )
      .catch((error: unknown) => {
        if (!(error instanceof RollBack)) throw error;
      });
  } finally {
    await database.close();
  }
  if (!figures) throw new Error(`The ${name} bench produced no figures.`);
  return (figures as { value: F }).value;
}

/**
 * Both calls timed in turn, `runs` times each after one untimed call of each (caches, plans); the
 * medians, and each call's answer.
 */
export async function timeInTurn<A, B>(
  runs: number,
  first: () => Promise<A>,
  second: () => Promise<B>,
): Promise<{ first: { milliseconds: number; answer: A }; second: { milliseconds: number; answer: B } }> {
  const answers = { first: await first(), second: await second() };
  const times = { first: [] as number[], second: [] as number[] };
  for (let run = 0; run < runs; run++) {
    let started = performance.now();
    await first();
    times.first.push(performance.now() - started);
    started = performance.now();
    await second();
    times.second.push(performance.now() - started);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return {
    first: { milliseconds: median(times.first), answer: answers.first },
    second: { milliseconds: median(times.second), answer: answers.second },
  };
}
