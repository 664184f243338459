// Reading a Gmail message's MIME tree (format=full): its headers, and the text a person wrote, from
// the text/plain part, or from the text/html part turned into text when there is no plain one.
// Part bodies are base64url (already decoded from their Content-Transfer-Encoding by Gmail) in the
// charset their Content-Type names, so they are decoded as bytes first, then as that charset.
import type { GmailHeader, GmailPart } from "./client.ts";

/** The first header of that name (case-insensitive), as Gmail returns it: not yet RFC 2047-decoded. */
export function headerValue(headers: GmailHeader[] | undefined, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return headers?.find((header) => header.name.toLowerCase() === wanted)?.value;
}

/** The `charset` parameter of a Content-Type value, if any. */
export function charsetOf(contentType: string | undefined): string | undefined {
  return contentType?.match(/;\s*charset\s*=\s*"?([^";\s]+)"?/i)?.[1];
}

/** Bytes as text in `charset` (UTF-8 when none is named or the name is unknown). */
export function decodeText(bytes: Uint8Array, charset = "utf-8"): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset.trim().toLowerCase());
  } catch {
    // An unknown label (a typo, a private charset): UTF-8 is the likeliest and never throws.
    decoder = new TextDecoder("utf-8");
  }
  return decoder.decode(bytes);
}

/** A base64url string (padded or not) as bytes; Gmail's MessagePartBody.data and Message.raw use it. */
export function base64UrlToBytes(data: string): Uint8Array {
  return new Uint8Array(Buffer.from(data, "base64url"));
}

function isAttachment(part: GmailPart): boolean {
  if (part.filename) return true;
  if (part.body?.attachmentId) return true;
  return /^\s*attachment\b/i.test(headerValue(part.headers, "content-disposition") ?? "");
}

/** The inline leaf parts of `mimeType`, in document order. */
function inlineParts(part: GmailPart, mimeType: string, found: GmailPart[] = []): GmailPart[] {
  if (part.parts?.length) {
    for (const child of part.parts) inlineParts(child, mimeType, found);
  } else if (part.mimeType.toLowerCase() === mimeType && !isAttachment(part) && part.body?.data) {
    found.push(part);
  }
  return found;
}

function partText(part: GmailPart): string {
  const data = part.body?.data ?? "";
  return decodeText(base64UrlToBytes(data), charsetOf(headerValue(part.headers, "content-type")));
}

/**
 * What the sender wrote: the first inline text/plain part (multipart/alternative's plain version),
 * else the first text/html part as text. Undefined when the message has neither (only attachments).
 */
export function messageText(payload: GmailPart | undefined): string | undefined {
  if (!payload) return undefined;
  const plain = inlineParts(payload, "text/plain")[0];
  if (plain) return normalizeText(partText(plain));
  const html = inlineParts(payload, "text/html")[0];
  if (html) return normalizeText(htmlToText(partText(html)));
  return undefined;
}

/** Line ends as \n, no trailing blanks, and no blank lines at either end. */
export function normalizeText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t]+$/gm, "")
    .replace(/^\n+|\n+$/g, "");
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ndash: "–",
  mdash: "—",
  hellip: "…",
  rsquo: "’",
  lsquo: "‘",
  rdquo: "”",
  ldquo: "“",
  eacute: "é",
  egrave: "è",
  aacute: "á",
  oacute: "ó",
  uacute: "ú",
  iacute: "í",
  ntilde: "ñ",
  ccedil: "ç",
  uuml: "ü",
  ouml: "ö",
  auml: "ä",
  euro: "€",
  copy: "©",
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, name: string) => {
    if (name[0] === "#") {
      const code =
        name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    }
    return ENTITIES[name.toLowerCase()] ?? match;
  });
}

/**
 * The readable text of an HTML body: no head, styles, scripts or comments; line breaks where the
 * blocks break; entities decoded. Enough for a summary and for sentiment, not a renderer.
 */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<!--[\s\S]*?-->/g, "")
      .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, "")
      .replace(/\s+/g, " ")
      .replace(/<br\b[^>]*>/gi, "\n")
      .replace(/<li\b[^>]*>/gi, "\n* ")
      .replace(/<\/?(p|div|tr|table|ul|ol|h[1-6]|blockquote|section|article|header|footer)\b[^>]*>/gi, "\n")
      .replace(/<[^>]+>/g, ""),
  )
    .replace(/\u00a0/g, " ")
    .replace(/[ \t]*\n[ \t]*/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
