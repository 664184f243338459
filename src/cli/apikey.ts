// `npm run apikey -- <command>`: manage API keys on the configured database.
//   create --name <principal> [--email <email>] --role ADMIN|INTEGRATOR|ANALYST|ACCOUNT_MANAGER
//          [--scope pii] [--scope customers] [--key-name <where it is used>] [--expires-in-days <n>]
//   list
//   revoke <prefix>
import { parseArgs } from "node:util";
import { createApiKey, revokeApiKey, type Scope } from "../auth/api-keys.ts";
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { applyMigrations } from "../db/migrations.ts";
import { runCli, UsageError } from "./run-cli.ts";

const USAGE = `Usage:
  npm run apikey -- create --name "Ana Souza" [--email ana@example.com] --role ACCOUNT_MANAGER [--scope pii] [--scope customers] [--key-name "alerts page"] [--expires-in-days 90]
  npm run apikey -- list
  npm run apikey -- revoke <prefix>`;

runCli(async (argv) => {
  const [command, ...rest] = argv;
  if (command !== "create" && command !== "list" && command !== "revoke") throw new UsageError(USAGE);
  const database = await openDatabase(loadConfig().database);
  try {
    await applyMigrations(database.adapterFactory);
    const db = database.prisma;
    if (command === "list") {
      const keys = await db.apiKey.findMany({ include: { principal: true }, orderBy: { createdAt: "asc" } });
      for (const key of keys) {
        const state = key.revokedAt
          ? "revoked"
          : key.expiresAt && key.expiresAt < new Date()
            ? "expired"
            : "active";
        console.log(
          `${key.prefix}  ${key.role.padEnd(15)} ${state.padEnd(8)} ${key.principal.name}${key.principal.email ? ` <${key.principal.email}>` : ""} — ${key.name}${key.scopes.length ? ` [${key.scopes.join(", ")}]` : ""}`,
        );
      }
      if (keys.length === 0) console.log("No API keys yet: create one with npm run apikey -- create.");
      return 0;
    }
    if (command === "revoke") {
      if (!rest[0]) throw new UsageError(USAGE);
      const key = await revokeApiKey(db, rest[0]);
      console.log(`Revoked ${key.prefix}.`);
      return 0;
    }
    const { values } = parseArgs({
      args: rest,
      options: {
        name: { type: "string" },
        email: { type: "string" },
        role: { type: "string" },
        scope: { type: "string", multiple: true },
        "key-name": { type: "string" },
        "expires-in-days": { type: "string" },
      },
    });
    if (!values.name || !values.role) throw new UsageError(USAGE);
    const days = values["expires-in-days"] ? Number(values["expires-in-days"]) : undefined;
    const created = await createApiKey(db, {
      principal: values.email ? { name: values.name, email: values.email } : { name: values.name },
      name: values["key-name"] ?? `${values.role.toLowerCase()} key for ${values.name}`,
      role: values.role as "ADMIN",
      // createApiKey refuses a scope it does not know, naming the ones it does.
      scopes: (values.scope ?? []) as Scope[],
      expiresAt: days ? new Date(Date.now() + days * 86_400_000) : undefined,
    });
    console.log(
      `Created a ${created.apiKey.role} key for ${created.principal.name} (principal ${created.principal.id}).`,
    );
    console.log("The key is shown only now; store it where its user keeps secrets:");
    console.log(created.key);
    return 0;
  } finally {
    await database.close();
  }
});
