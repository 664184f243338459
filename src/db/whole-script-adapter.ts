// @prisma/adapter-pg runs a migration script by splitting it on every ";" — including those inside
// comments, string literals and function bodies — and sending the pieces one by one, outside any
// transaction. The Prisma CLI's native engine sends a migration as one script instead, which
// PostgreSQL runs atomically (a simple-protocol query with several statements is one implicit
// transaction). This wrapper restores that behaviour for the migration engine.

import type { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

interface PoolBacked {
  underlyingDriver(): { query(sql: string): Promise<unknown> };
}

export function withWholeScriptExecution(factory: PrismaPg): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => runScriptsWhole(await factory.connect()),
    connectToShadowDb: async () => runScriptsWhole(await factory.connectToShadowDb()),
  };
}

function runScriptsWhole(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const pool = (adapter as unknown as PoolBacked).underlyingDriver();
  adapter.executeScript = async (script: string) => {
    await pool.query(script);
  };
  return adapter;
}
