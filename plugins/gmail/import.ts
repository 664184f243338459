// Importing saved mail: a single message (.eml, RFC 5322) or an mbox file (RFC 4155: messages one
// after another, each opened by a "From " line), parsed by postal-mime into the same records the
// Gmail stream yields. An imported message's externalId is its Message-ID (a SHA-256 of the message
// when it has none), and its conversation is the first Message-ID of its References.
import { createHash } from "node:crypto";
import type { ConnectorRecordInput } from "cx-hub/sdk";
import PostalMime from "postal-mime";
import { fromParsedEmail, type MailboxOptions, mailRecords } from "./mapping.ts";

/** A message of an mbox: its raw text (From_ line removed, ">From " unescaped) and the From_ line's time. */
export interface MboxMessage {
  raw: string;
  /** The time on the From_ line ("From sender@example.com Mon Mar  2 08:55:00 2026", in UTC). */
  receivedAt: Date | undefined;
}

const FROM_LINE = /^From (\S+)(?:\s+(.*))?$/;

function fromLineDate(rest: string | undefined): Date | undefined {
  // asctime as mbox writers put it: "Mon Mar  2 08:55:00 2026", UTC by RFC 4155's convention.
  const match = rest?.match(/^\w{3} (\w{3}) +(\d{1,2}) (\d{2}:\d{2}:\d{2}) (\d{4})/);
  if (!match) return undefined;
  const date = new Date(`${match[1]} ${match[2]} ${match[4]} ${match[3]} UTC`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Splits an mbox into its messages. A message starts at a line beginning with "From " at the start
 * of the file or after an empty line; lines of the message that began with "From " were written as
 * ">From " (and ">From " as ">>From ", the mboxrd rule), so one ">" is taken off again.
 */
export function splitMbox(text: string): MboxMessage[] {
  const lines = text.split(/\r?\n/);
  const messages: MboxMessage[] = [];
  let current: { lines: string[]; receivedAt: Date | undefined } | undefined;
  const close = () => {
    if (!current) return;
    // The empty line that separates a message from the next From_ line is the mbox's, not the message's.
    while (current.lines.length > 0 && current.lines.at(-1) === "") current.lines.pop();
    messages.push({ raw: `${current.lines.join("\r\n")}\r\n`, receivedAt: current.receivedAt });
  };
  lines.forEach((line, index) => {
    const fromLine = line.match(FROM_LINE);
    if (fromLine && (index === 0 || lines[index - 1] === "")) {
      close();
      current = { lines: [], receivedAt: fromLineDate(fromLine[2]) };
      return;
    }
    current?.lines.push(/^>+From /.test(line) ? line.slice(1) : line);
  });
  close();
  return messages;
}

/** True when the text is an mbox (it opens with a From_ line) rather than a single message. */
export function isMbox(text: string): boolean {
  return FROM_LINE.test(text.slice(0, text.search(/\r?\n|$/)));
}

/** The records of one raw RFC 5322 message (an .eml file's content). */
export async function importMessage(
  raw: string | Uint8Array,
  options: MailboxOptions & { receivedAt?: Date },
): Promise<ConnectorRecordInput[]> {
  const email = await PostalMime.parse(raw);
  const digest = createHash("sha256").update(raw).digest("hex");
  const mail = fromParsedEmail(email, { id: `sha256:${digest}`, date: options.receivedAt });
  return mailRecords(mail, options);
}

/**
 * The records of an mbox file or of a single .eml message, message by message. Bytes are read as
 * Latin-1 to split them (one character per byte), and each message goes to the parser as its own
 * bytes again, so every part is decoded in its own charset.
 */
export async function* importMailbox(
  input: string | Uint8Array,
  options: MailboxOptions,
): AsyncGenerator<ConnectorRecordInput, void> {
  const binary = typeof input !== "string";
  const text = binary ? Buffer.from(input).toString("latin1") : input;
  if (!isMbox(text)) {
    yield* await importMessage(input, options);
    return;
  }
  for (const message of splitMbox(text)) {
    const raw = binary ? new Uint8Array(Buffer.from(message.raw, "latin1")) : message.raw;
    yield* await importMessage(raw, { ...options, receivedAt: message.receivedAt });
  }
}
