// `dead-letters`, `replay` and `discard`: the records a connector refused, with why, and what to do
// with each once its cause is fixed. A payload is the provider's record, personal data: it is printed
// only when asked for (--payload).
import { storeDeps } from "../../connectors/connector-services.ts";
import { findConnector } from "../../connectors/connector-store.ts";
import { discardDeadLetter, replayDeadLetter } from "../../connectors/dead-letters/replay-dead-letter.ts";
import { DeadLetterStatus } from "../../generated/prisma/enums.ts";
import { parseJsonInput } from "../json-input.ts";
import { parseCliArgs } from "../parse-cli-args.ts";
import { type CommandContext, UsageError } from "../run-cli.ts";
import type { CliHub } from "./hub.ts";

const STATUSES = Object.values(DeadLetterStatus);

export async function listDeadLetters(
  hub: CliHub,
  io: CommandContext,
  args: string[],
  usage: string,
): Promise<number> {
  const { values, positionals } = parseCliArgs(
    {
      args,
      allowPositionals: true,
      options: {
        status: { type: "string", default: "PENDING" },
        limit: { type: "string", default: "20" },
        payload: { type: "boolean", default: false },
      },
    },
    usage,
  );
  const [name] = positionals;
  const limit = Number(values.limit);
  const status = values.status.toUpperCase();
  if (!name || positionals.length > 1 || !Number.isInteger(limit) || limit < 1) throw new UsageError(usage);
  if (status !== "ALL" && !STATUSES.includes(status as DeadLetterStatus)) {
    throw new UsageError(`--status ${values.status} is not one of ${STATUSES.join(", ")} or ALL.`);
  }
  const connector = await findConnector(hub.db, { name });
  const where = {
    connectorId: connector.id,
    ...(status !== "ALL" && { status: status as DeadLetterStatus }),
  };
  const [letters, total] = await Promise.all([
    hub.db.deadLetter.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit }),
    hub.db.deadLetter.count({ where }),
  ]);
  const which = status === "ALL" ? "" : `${status.toLowerCase()} `;
  io.print(
    `${name} has ${total} ${which}dead letter(s)${total > letters.length ? `; the newest ${letters.length}:` : "."}`,
  );
  for (const letter of letters) {
    io.print(`${letter.id}  ${letter.status}  ${letter.stream ?? "-"}  ${letter.createdAt.toISOString()}`);
    io.print(`  ${letter.reason}`);
    const issues = (letter.details as { issues?: Array<{ path?: string; message?: string }> } | null)?.issues;
    for (const issue of Array.isArray(issues) ? issues : []) {
      io.print(`    ${issue.path || "(record)"}: ${issue.message}`);
    }
    if (values.payload && letter.payload !== null) io.print(`  payload: ${letter.payload}`);
  }
  if (letters.some((letter) => letter.status === "PENDING")) {
    io.print(
      "Once the cause is fixed: npm run connectors -- replay <id> (a corrected record on standard input with --payload-stdin), or discard <id>.",
    );
  }
  return 0;
}

export async function replay(
  hub: CliHub,
  io: CommandContext,
  args: string[],
  usage: string,
): Promise<number> {
  const { values, positionals } = parseCliArgs(
    {
      args,
      allowPositionals: true,
      options: { "payload-stdin": { type: "boolean", default: false } },
    },
    usage,
  );
  const [id] = positionals;
  if (!id || positionals.length > 1) throw new UsageError(usage);
  let fix: { payload?: unknown } = {};
  if (values["payload-stdin"]) {
    const text = await io.readStdin();
    fix = { payload: parseJsonInput(text, "The corrected record on standard input", "the record as JSON") };
  }
  const result = await replayDeadLetter({ ...storeDeps(hub.db, hub), writes: hub.writes }, id, fix);
  if (result.replayed) {
    const counts = result.counts;
    io.print(
      `Replayed ${id}: stored${counts ? ` (${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged)` : ""}.`,
    );
    return 0;
  }
  io.printError(
    `Dead letter ${id} is still refused, and stays pending: ${result.reason ?? result.deadLetter.reason}`,
  );
  return 1;
}

export async function discard(
  hub: CliHub,
  io: CommandContext,
  args: string[],
  usage: string,
): Promise<number> {
  const [id, ...more] = args;
  if (!id || more.length > 0) throw new UsageError(usage);
  await discardDeadLetter(hub.db, id);
  io.print(`Discarded ${id}: it will not be stored.`);
  return 0;
}
