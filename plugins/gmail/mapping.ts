// From an email to the hub's records. Both sources, a Gmail API message and a raw RFC 5322 message
// (an .eml file, or one message of an mbox) parsed by postal-mime, first become a `MailMessage`, and
// one function turns that into records, so the stream and the import say exactly the same things.
import { type ConnectorRecordInput, identity, record } from "cx-hub/sdk";
import { addressParser, decodeWords, type Email, type Address as MimeAddress } from "postal-mime";
import type { GmailMessage } from "./client.ts";
import { headerValue, htmlToText, messageText, normalizeText } from "./mime.ts";
import { sentimentOf } from "./sentiment.ts";

export interface Mailbox {
  name: string;
  address: string;
}

/** An email, whatever it came from. */
export interface MailMessage {
  /** The Gmail message id, or the Message-ID of an imported message. */
  externalId: string;
  /** The Gmail thread id, or the first Message-ID of the References of an imported message. */
  conversationId?: string | undefined;
  occurredAt: Date | undefined;
  /**
   * The message's version at the provider, when it documents one: Gmail's internalDate (a message's
   * content never changes after it is received, so every copy carries the same one). Imported mail has none.
   */
  sourceUpdatedAt?: Date | undefined;
  from: Mailbox | undefined;
  to: Mailbox[];
  cc: Mailbox[];
  subject?: string | undefined;
  text?: string | undefined;
  /** The RFC 5322 Message-ID, without its angle brackets. */
  messageId?: string | undefined;
  labelIds?: string[] | undefined;
}

/** Which addresses are the support inbox's own: mail from them is outbound. */
export interface MailboxOptions {
  mailbox: string;
  /** Other addresses of the same inbox (send-as aliases). */
  aliases?: string[];
}

/** Gmail labels of messages that are not correspondence with a customer. */
const SKIPPED_LABELS = new Set(["DRAFT", "SPAM", "CHAT"]);

/** True for drafts, spam and chats, which the connector leaves out. */
export function isSkipped(mail: MailMessage): boolean {
  return mail.labelIds?.some((label) => SKIPPED_LABELS.has(label)) ?? false;
}

const MAX_SUMMARY = 1000;
const MAX_BODY = 200_000;

function clip(text: string | undefined, max: number): string | undefined {
  if (!text) return undefined;
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The records an email says: the customer (when the address comes with a name) and the interaction.
 * Direction follows the From address: from the inbox (or an alias) is outbound, to the first other
 * recipient; anything else is inbound, from its sender. A message without a usable counterpart keeps
 * its empty identities, so the hub refuses it with the reason instead of guessing someone.
 */
export function mailRecords(mail: MailMessage, options: MailboxOptions): ConnectorRecordInput[] {
  const own = new Set([options.mailbox, ...(options.aliases ?? [])].map((address) => address.toLowerCase()));
  const isOwn = (mailbox: Mailbox) => own.has(mailbox.address.trim().toLowerCase());
  const outbound = mail.from !== undefined && isOwn(mail.from);
  const counterpart = outbound
    ? [...mail.to, ...mail.cc].find((mailbox) => mailbox.address && !isOwn(mailbox))
    : mail.from?.address
      ? mail.from
      : undefined;
  const identities = counterpart ? [identity.email(counterpart.address)] : [];

  const metadata: Record<string, string | string[]> = {
    to: mail.to.map((mailbox) => mailbox.address),
    cc: mail.cc.map((mailbox) => mailbox.address),
  };
  if (mail.from) metadata.from = mail.from.address;
  if (mail.messageId) metadata.messageId = mail.messageId;
  if (mail.labelIds) metadata.labelIds = mail.labelIds;

  const records: ConnectorRecordInput[] = [];
  if (counterpart?.name) records.push(record.customer({ identities, displayName: counterpart.name }));
  const sentiment = outbound ? undefined : sentimentOf(mail.text);
  records.push(
    record.interaction({
      externalId: mail.externalId,
      identities,
      channel: "email",
      kind: outbound ? "email.sent" : "email.received",
      direction: outbound ? "outbound" : "inbound",
      // An unreadable date stays an invalid one, so that the hub refuses the record and says why.
      occurredAt: mail.occurredAt ?? new Date(Number.NaN),
      summary: clip(mail.subject, MAX_SUMMARY),
      body: clip(mail.text, MAX_BODY),
      ...(sentiment === undefined ? {} : { sentiment }),
      conversationId: mail.conversationId,
      metadata,
      ...(mail.sourceUpdatedAt ? { sourceUpdatedAt: mail.sourceUpdatedAt } : {}),
    }),
  );
  return records;
}

/** Mailboxes of an address header, groups flattened, encoded-word names decoded. */
export function parseAddresses(value: string | undefined): Mailbox[] {
  if (!value) return [];
  return flatten(addressParser(value));
}

function flatten(addresses: MimeAddress[] | undefined): Mailbox[] {
  const mailboxes: Mailbox[] = [];
  for (const address of addresses ?? []) {
    if (address.group) mailboxes.push(...address.group.map(({ name, address }) => ({ name, address })));
    else if (address.address) mailboxes.push({ name: address.name, address: address.address });
  }
  return mailboxes;
}

/** A Message-ID without its angle brackets and spaces. */
export function bareMessageId(value: string | undefined): string | undefined {
  const id = value?.trim().replace(/^<|>$/g, "").trim();
  return id || undefined;
}

function internalDate(value: string | undefined): Date | undefined {
  if (!value || !/^\d+$/.test(value)) return undefined;
  return new Date(Number(value));
}

/** A Gmail API message (format=full) as a MailMessage. */
export function fromGmailMessage(message: GmailMessage): MailMessage {
  const headers = message.payload?.headers;
  const subject = headerValue(headers, "subject");
  return {
    externalId: message.id,
    conversationId: message.threadId,
    occurredAt: internalDate(message.internalDate),
    sourceUpdatedAt: internalDate(message.internalDate),
    from: parseAddresses(headerValue(headers, "from"))[0],
    to: parseAddresses(headerValue(headers, "to")),
    cc: parseAddresses(headerValue(headers, "cc")),
    subject: subject === undefined ? undefined : decodeWords(subject).trim(),
    text: messageText(message.payload),
    messageId: bareMessageId(headerValue(headers, "message-id")),
    labelIds: message.labelIds,
  };
}

/**
 * A message parsed by postal-mime as a MailMessage. `externalId` is its Message-ID; `fallbackId`
 * (a digest of the raw message) stands in when it has none, and `fallbackDate` (an mbox From_ line's
 * time) when its Date header is missing or unreadable.
 */
export function fromParsedEmail(
  email: Email,
  fallback: { id: string; date?: Date | undefined },
): MailMessage {
  const messageId = bareMessageId(email.messageId);
  const references = (email.references ?? "").match(/<[^>]+>/g) ?? [];
  const date = email.date ? new Date(email.date) : undefined;
  const text = email.text ? email.text : email.html ? htmlToText(email.html) : undefined;
  return {
    externalId: messageId ?? fallback.id,
    conversationId: bareMessageId(references[0]) ?? bareMessageId(email.inReplyTo) ?? messageId,
    occurredAt: date && !Number.isNaN(date.getTime()) ? date : fallback.date,
    from: flatten(email.from ? [email.from] : [])[0],
    to: flatten(email.to),
    cc: flatten(email.cc),
    subject: email.subject?.trim(),
    text: text === undefined ? undefined : normalizeText(text) || undefined,
    messageId,
  };
}
