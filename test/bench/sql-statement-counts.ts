// The diagnostic pass: how many SQL statements one request costs each server. Servers started with
// the count-sql.ts preload print their running total on SIGUSR2; the difference across a few
// sequential requests, divided by their number, is the cost of one request.
import type { ChildServer } from "./child-servers.ts";
import { postGraphql } from "./compare-answers.ts";

export const COUNT_SQL_PRELOAD = "./test/bench/count-sql.ts";

async function statementTotal(server: ChildServer): Promise<number> {
  const reports = () =>
    [...server.output().matchAll(/\[sql-statements report=(\d+) total=(\d+)\]/g)].map((match) => ({
      report: Number(match[1]),
      total: Number(match[2]),
    }));
  const wanted = Math.max(0, ...reports().map((entry) => entry.report)) + 1;
  server.process.kill("SIGUSR2");
  for (let waited = 0; waited < 5000; waited += 10) {
    const answer = reports().find((entry) => entry.report === wanted);
    if (answer) return answer.total;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${server.name} did not report its SQL statement count.`);
}

export async function statementsPerRequest(
  server: ChildServer,
  apiKey: string,
  bodies: string[],
  requests = 20,
): Promise<number> {
  const before = await statementTotal(server);
  for (let n = 0; n < requests; n++) {
    const answer = await postGraphql(server.url, apiKey, bodies[n % bodies.length] ?? "");
    if (answer.status !== 200 || answer.json.errors) {
      throw new Error(
        `${server.name} failed during the statement count: ${JSON.stringify(answer.json).slice(0, 300)}`,
      );
    }
  }
  const after = await statementTotal(server);
  return (after - before) / requests;
}
