// A data migration: dead letters stored before the writer redacted credentials (write-dead-letters.ts)
// still hold them: a Gmail push URL's ?token= in details, an Authorization header, an api_key field in
// a payload. This passes every stored letter through the writer's own redaction (withoutCredentials),
// so old and new letters keep exactly the same things. Idempotent: a redacted letter is left as it is.
import type { PrismaClient } from "../../db/database.ts";
import { isUniqueViolation } from "../../db/database-errors.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import type { DataMigration } from "../../pipeline/data-migrations.ts";
import {
  deadLetterFingerprint,
  deliveryHeadersSchema,
  type NewDeadLetter,
  withoutCredentials,
} from "./write-dead-letters.ts";

export const REDACT_DEAD_LETTER_CREDENTIALS = "redact-dead-letter-credentials";

/** Letters read per statement: each is small, and the table can hold many. */
const PAGE = 500;

export interface RedactResult {
  /** Letters that held a credential and were rewritten. */
  redacted: number;
}

export async function redactStoredDeadLetters(db: PrismaClient): Promise<RedactResult> {
  let redacted = 0;
  let after: string | undefined;
  for (;;) {
    const letters = await db.deadLetter.findMany({
      ...(after === undefined ? {} : { where: { id: { gt: after } } }),
      orderBy: { id: "asc" },
      take: PAGE,
    });
    for (const letter of letters) if (await redactOne(db, letter)) redacted++;
    if (letters.length < PAGE) return { redacted };
    after = letters.at(-1)?.id;
  }
}

type StoredLetter = Awaited<ReturnType<PrismaClient["deadLetter"]["findMany"]>>[number];

/** Rewrites one letter when the redaction changes it; true when it did. */
async function redactOne(db: PrismaClient, letter: StoredLetter): Promise<boolean> {
  // Headers that are not a map of names to text were not written by the hub's writer, and the
  // redaction cannot read them: they are dropped rather than kept with what they may hold.
  const headers = deliveryHeadersSchema.safeParse(letter.headers ?? undefined);
  const unreadableHeaders = letter.headers !== null && !headers.success;
  const stored: NewDeadLetter = {
    kind: letter.kind,
    payload: letter.payload,
    reason: letter.reason,
    ...(letter.stream !== null && { stream: letter.stream }),
    ...(headers.success && { headers: headers.data }),
    ...(letter.details !== null && { details: letter.details as Prisma.InputJsonValue }),
  };
  const clean = withoutCredentials(stored);
  if (!unreadableHeaders && JSON.stringify(clean) === JSON.stringify(stored)) return false;
  const data = {
    payload: clean.payload,
    reason: clean.reason,
    headers: clean.headers ?? Prisma.DbNull,
    ...(clean.details !== undefined && { details: clean.details }),
  };
  const fingerprint = deadLetterFingerprint(letter.kind, letter.stream ?? undefined, clean.payload);
  try {
    // The fingerprint follows the payload, as the writer's does, so a redelivery is still known.
    await db.deadLetter.update({ where: { id: letter.id }, data: { ...data, fingerprint } });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another pending letter already has that fingerprint (the same record, under another token):
    // this one keeps its own, so both stay, without their credentials.
    await db.deadLetter.update({ where: { id: letter.id }, data });
  }
  return true;
}

/** The migration as the start-up runner takes it (src/pipeline/data-migrations.ts). */
export const redactDeadLetterCredentials: DataMigration = {
  name: REDACT_DEAD_LETTER_CREDENTIALS,
  async run(db) {
    const { redacted } = await redactStoredDeadLetters(db);
    return redacted > 0 ? `Redacted the credentials of ${redacted} stored dead letter(s).` : null;
  },
};
