// The benchmark's baseline: a plain node:http server with a `pg` pool (the same size as the hub's,
// 10) that answers the benchmarked operations with hand-written SQL (the busiest pages, the at-risk
// list, and the customer list the PostGraphile peer is compared on). It takes the very request
// the hub takes (POST /graphql with operationName, query and variables, and the same API key), checks
// the key the way the hub does (by prefix, SHA-256 compared in constant time, revoked or expired
// refused, lastUsedAt written at most once a minute), dispatches on operationName without parsing the
// query, and answers `{"data": …}` shaped like the hub's. Run as a child process by run-bench.ts:
//   DATABASE_URL=… PORT=0 node --import tsx test/bench/baseline-server.ts
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { atRiskCustomers } from "./baseline-at-risk.ts";
import { customer360 } from "./baseline-customer-360.ts";
import { customerList, peerCustomerList } from "./baseline-customer-list.ts";
import { feedbackDashboard } from "./baseline-feedback-dashboard.ts";
import { BadRequest, type BaselineViewer } from "./baseline-shared.ts";

const KEY_PATTERN = /^cxh_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

const OPERATIONS: Record<
  string,
  (pool: pg.Pool, viewer: BaselineViewer, variables: Record<string, unknown>) => Promise<unknown>
> = {
  CustomerList: customerList,
  AtRiskCustomers: atRiskCustomers,
  Customer360: customer360,
  FeedbackDashboard: feedbackDashboard,
  PeerCustomerList: peerCustomerList,
};

interface KeyRow {
  id: string;
  principalId: string;
  role: BaselineViewer["role"];
  scopes: string[] | null;
  secretHash: string;
  revokedAt: Date | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

async function authenticate(pool: pg.Pool, request: IncomingMessage): Promise<BaselineViewer | null> {
  const header = request.headers.authorization;
  const presented = header?.toLowerCase().startsWith("bearer ") ? header.slice(7).trim() : undefined;
  const match = presented ? KEY_PATTERN.exec(presented) : null;
  if (!presented || !match) return null;
  const { rows } = await pool.query<KeyRow>(
    `SELECT id, "principalId", role, scopes, "secretHash", "revokedAt", "expiresAt", "lastUsedAt"
       FROM "ApiKey" WHERE prefix = $1`,
    [`cxh_${match[1]}`],
  );
  const key = rows[0];
  if (!key) return null;
  const expected = Buffer.from(key.secretHash, "hex");
  const actual = createHash("sha256").update(presented).digest();
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  const now = Date.now();
  if (
    (key.revokedAt && key.revokedAt.getTime() <= now) ||
    (key.expiresAt && key.expiresAt.getTime() <= now)
  ) {
    return null;
  }
  if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > 60_000) {
    await pool.query(`UPDATE "ApiKey" SET "lastUsedAt" = $2 WHERE id = $1`, [
      key.id,
      new Date(now).toISOString(),
    ]);
  }
  return { principalId: key.principalId, role: key.role, pii: (key.scopes ?? []).includes("pii") };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

const errors = (message: string) => ({ errors: [{ message }] });

function createBaselineServer(pool: pg.Pool) {
  return createServer(async (request, response) => {
    try {
      if (request.method !== "POST" || request.url !== "/graphql") {
        send(response, 404, errors("POST /graphql is the only route."));
        return;
      }
      const viewer = await authenticate(pool, request);
      if (!viewer) {
        send(response, 401, errors("A valid API key is needed: Authorization: Bearer <key>."));
        return;
      }
      const body = JSON.parse(await readBody(request)) as {
        operationName?: string;
        variables?: Record<string, unknown>;
      };
      const operation = body.operationName ? OPERATIONS[body.operationName] : undefined;
      if (!operation) {
        send(response, 400, errors(`The baseline answers only ${Object.keys(OPERATIONS).join(", ")}.`));
        return;
      }
      send(response, 200, { data: await operation(pool, viewer, body.variables ?? {}) });
    } catch (error) {
      if (error instanceof BadRequest || error instanceof SyntaxError) {
        send(response, 400, errors(error.message));
      } else {
        console.error(error);
        send(response, 500, errors("Internal error; see the baseline's output."));
      }
    }
  });
}

async function main(): Promise<void> {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error("Set DATABASE_URL to the bench database.");
  const pool = new pg.Pool({ connectionString, max: 10 });
  await pool.query("SELECT 1");
  const server = createBaselineServer(pool);
  await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  console.log(`Baseline ready at http://127.0.0.1:${port}/graphql`);
  const shutdown = () => {
    server.close();
    server.closeAllConnections();
    void pool.end().finally(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
