// `npm run apikey -- <command>` (entry point: apikey.ts): manage API keys on the configured database (the one the hub uses:
// the same CXHUB_DATA_DIR or DATABASE_URL). While the hub runs on the embedded database, which one
// process may open at a time, the same is done over GraphQL (createApiKey, apiKeys, revokeApiKey).
//   create --name <principal> [--email <email>] --role ADMIN|INTEGRATOR|ANALYST|ACCOUNT_MANAGER
//          [--scope pii] [--scope customers] [--key-name <where it is used>] [--expires-in-days <n>]
//   list
//   revoke <prefix>
import { createApiKey, revokeApiKey, SCOPES, type Scope } from "../auth/api-keys.ts";
import { apiKeyStatus } from "../auth/manage-api-keys.ts";
import type { Role } from "../generated/prisma/enums.ts";
import { openKeyDatabase } from "./open-key-database.ts";
import { parseCliArgs } from "./parse-cli-args.ts";
import { type Command, UsageError } from "./run-cli.ts";

const USAGE = `Usage:
  npm run apikey -- create --name "Ana Souza" [--email ana@example.com] --role ACCOUNT_MANAGER [--scope pii] [--scope customers] [--key-name "alerts page"] [--expires-in-days 90]
  npm run apikey -- list
  npm run apikey -- revoke <prefix>
--email names the principal: when someone already has that email (an account manager of the demo,
say), the key is theirs and --name is not used. Roles: ADMIN, INTEGRATOR, ANALYST, ACCOUNT_MANAGER.`;

/** "an admin key", "an account manager key": every role's name starts with a vowel sound. */
const KEY_OF_ROLE: Record<Role, string> = {
  ADMIN: "an admin key",
  INTEGRATOR: "an integrator key",
  ANALYST: "an analyst key",
  ACCOUNT_MANAGER: "an account manager key",
};

const ROLES = Object.keys(KEY_OF_ROLE) as Role[];

export const apikeyCommand: Command = async (argv, { config, print, clock }) => {
  const [command, ...rest] = argv;
  if (command !== "create" && command !== "list" && command !== "revoke") throw new UsageError(USAGE);
  const options = command === "create" ? parseCreateOptions(rest) : null;
  if (command === "revoke" && !rest[0]) throw new UsageError(USAGE);
  const { database, description } = await openKeyDatabase(config());
  try {
    const db = database.prisma;
    if (command === "list") {
      const keys = await db.apiKey.findMany({ include: { principal: true }, orderBy: { createdAt: "asc" } });
      print(`API keys in the ${description}:`);
      for (const key of keys) {
        const state = apiKeyStatus(key, clock()).toLowerCase();
        print(
          `${key.prefix}  ${key.role.padEnd(15)} ${state.padEnd(8)} ${key.principal.name}${key.principal.email ? ` <${key.principal.email}>` : ""} — ${key.name}${key.scopes.length ? ` [${key.scopes.join(", ")}]` : ""}`,
        );
      }
      if (keys.length === 0) print("No API keys yet: create one with npm run apikey -- create.");
      return 0;
    }
    if (command === "revoke") {
      const key = await revokeApiKey(db, rest[0] as string);
      print(`Revoked ${key.prefix} in the ${description}: requests with it now get 401.`);
      return 0;
    }
    const create = options as CreateOptions;
    const existing = create.email ? await db.principal.findUnique({ where: { email: create.email } }) : null;
    const created = await createApiKey(db, {
      principal: create.email ? { name: create.name, email: create.email } : { name: create.name },
      name: create.keyName ?? `${create.role.toLowerCase().replace("_", " ")} key for ${create.name}`,
      role: create.role,
      scopes: create.scopes,
      expiresAt: create.expiresInDays
        ? new Date(clock().getTime() + create.expiresInDays * 86_400_000)
        : undefined,
    });
    const who = `${created.principal.name}${created.principal.email ? ` <${created.principal.email}>` : ""}`;
    print(`Created ${KEY_OF_ROLE[created.apiKey.role]} for ${who} in the ${description}.`);
    if (existing)
      print(`${who} already existed (found by --email, principal ${existing.id}): the key is theirs.`);
    print("The key is shown only now; store it where its user keeps secrets:");
    print(created.key);
    return 0;
  } finally {
    await database.close();
  }
};

interface CreateOptions {
  name: string;
  email: string | undefined;
  role: Role;
  scopes: Scope[];
  keyName: string | undefined;
  expiresInDays: number | undefined;
}

/** Checked before the database is opened, so a typo costs nothing and says what is wrong. */
function parseCreateOptions(args: string[]): CreateOptions {
  const values = parseCreateArgs(args);
  if (!values.name || !values.role) throw new UsageError(USAGE);
  const role = values.role.toUpperCase() as Role;
  if (!ROLES.includes(role))
    throw new UsageError(`--role ${values.role} is not a role: use one of ${ROLES.join(", ")}.`);
  const scopes = values.scope ?? [];
  const known: readonly string[] = Object.values(SCOPES);
  const unknownScope = scopes.find((scope) => !known.includes(scope));
  if (unknownScope)
    throw new UsageError(`--scope ${unknownScope} is not a scope: use ${known.join(" or ")}.`);
  const days = values["expires-in-days"] === undefined ? undefined : Number(values["expires-in-days"]);
  if (days !== undefined && !(Number.isInteger(days) && days > 0))
    throw new UsageError("--expires-in-days must be a whole number of days, 1 or more.");
  return {
    name: values.name,
    email: values.email?.trim().toLowerCase(),
    role,
    scopes: scopes as Scope[],
    keyName: values["key-name"],
    expiresInDays: days,
  };
}

function parseCreateArgs(args: string[]) {
  return parseCliArgs(
    {
      args,
      options: {
        name: { type: "string" },
        email: { type: "string" },
        role: { type: "string" },
        scope: { type: "string", multiple: true },
        "key-name": { type: "string" },
        "expires-in-days": { type: "string" },
      },
    },
    USAGE,
  ).values;
}
