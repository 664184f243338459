// What one value a stream yielded is to the hub: a valid record to store, a refused value (with why,
// to dead-letter or to show), or a checkpoint to keep. The sync run and the dry run read streams
// alike through this.
import type { z } from "zod";
import { type JsonValue, validateStreamOutput } from "../../sdk/records.ts";
import type { IngestItem } from "../ingest/ingest-records.ts";

export type StreamValue = IngestItem | { type: "checkpoint"; cursor: JsonValue };

export function classifyStreamValue(definition: { cursor?: z.ZodType }, value: unknown): StreamValue {
  const output = validateStreamOutput(value);
  if (!output.success)
    return { type: "invalid", payload: value, reason: output.reason, issues: output.issues };
  if (output.data.type !== "checkpoint") {
    return {
      type: "record",
      record: output.data,
      payload: value,
      droppedIdentities: output.droppedIdentities,
    };
  }
  const problem = cursorProblem(definition, output.data.cursor);
  if (problem) return { type: "invalid", payload: value, ...problem };
  return { type: "checkpoint", cursor: output.data.cursor as JsonValue };
}

/** A checkpoint that the stream's own cursor schema refuses would stop every later run: not stored. */
function cursorProblem(definition: { cursor?: z.ZodType }, cursor: unknown) {
  if (!definition.cursor) return undefined;
  const parsed = definition.cursor.safeParse(cursor);
  if (parsed.success) return undefined;
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  return {
    reason: `The checkpoint does not match the stream's cursor schema (${issues[0]?.message}); it was not stored, so the next run resumes from the previous checkpoint.`,
    issues,
  };
}
