// `dry-run <name> [<stream>]`: read from the provider as a sync would, write nothing, and print the
// records a sync would store, the ones it would refuse with why, and the checkpoints it would keep.
import { storeDeps } from "../../connectors/connector-services.ts";
import { findConnector } from "../../connectors/connector-store.ts";
import { DRY_RUN_DEFAULT_LIMIT, dryRunConnector } from "../../connectors/sync/dry-run.ts";
import { parseCliArgs } from "../parse-cli-args.ts";
import { type CommandContext, UsageError } from "../run-cli.ts";
import type { CliHub } from "./hub.ts";

export async function dryRun(
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
        limit: { type: "string", default: String(DRY_RUN_DEFAULT_LIMIT) },
        "from-start": { type: "boolean", default: false },
        payload: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
      },
    },
    usage,
  );
  const [name, stream] = positionals;
  if (!name || positionals.length > 2) throw new UsageError(usage);
  const connector = await findConnector(hub.db, { name });
  const streams = await dryRunConnector(
    {
      ...storeDeps(hub.db, hub),
      stream,
      limit: Number(values.limit),
      fromStart: values["from-start"],
      logger: hub.logger,
    },
    connector,
  );
  if (values.json) {
    // A payload is the provider's record, personal data: printed only when asked for, as below.
    const shown = values.payload
      ? streams
      : streams.map((entry) => ({
          ...entry,
          records: entry.records.map(({ payload: _, ...record }) => record),
        }));
    io.print(JSON.stringify({ connector: name, written: false, streams: shown }, null, 2));
    return streams.some((entry) => entry.error) ? 1 : 0;
  }
  io.print(`Dry run of ${name}: read from the provider, nothing written.`);
  for (const entry of streams) {
    const from = entry.startedFrom === null ? "from the start" : `from ${JSON.stringify(entry.startedFrom)}`;
    const refused = entry.records.filter((record) => !record.valid).length;
    io.print(
      `Stream ${entry.stream} (${from}): ${entry.records.length} value(s) read${entry.complete ? " to the end" : `, stopped at the limit of ${values.limit}`}; ${entry.records.length - refused} would be stored, ${refused} refused.`,
    );
    for (const record of entry.records) {
      const what = `${record.type ?? "value"} ${record.externalId ?? ""}`.trimEnd();
      io.print(record.valid ? `  + ${what}` : `  ! ${what}: ${record.reason}`);
      for (const issue of record.issues) io.print(`      ${issue.path || "(record)"}: ${issue.message}`);
      for (const dropped of record.droppedIdentities) {
        io.print(`      would leave out ${dropped.path}: ${dropped.message}`);
      }
      if (values.payload) io.print(`      ${JSON.stringify(record.payload)}`);
    }
    if (entry.checkpoints.length === 0) io.print("  No checkpoint: the next sync would read this again.");
    else {
      io.print(
        `  Checkpoints a sync would store: ${entry.checkpoints.map((c) => JSON.stringify(c)).join(", ")}`,
      );
    }
    if (entry.error) io.printError(`  The stream failed: ${entry.error}`);
  }
  return streams.some((entry) => entry.error) ? 1 : 0;
}
