// Credentials that ride along with a request (a push endpoint's ?token=, an Authorization header, an
// api_key field in a body) are recognised by their names and redacted before anything is kept: a
// dead letter, a log line. Unlike a connector's configured secrets (secrets.ts), these are not known
// in advance, so the name is all there is to go on. In the SDK, the layer everything may import.
import { REDACTED } from "./secrets.ts";

/** What a redacted query parameter reads (URL-safe, unlike REDACTED's dots). */
export const REDACTED_PARAM = "redacted";

/** Names that are credentials whatever surrounds them (x-api-key, client_secret, accessToken). */
const CREDENTIAL_PARTS = [
  "token",
  "secret",
  "password",
  "passwd",
  "apikey",
  "accesskey",
  "privatekey",
  "authorization",
  "cookie",
  "credential",
  "bearer",
];
// Words that are credentials only as the whole name ("auth", not "author"). Not "key" or "code": a
// record's `key` (a journey stage) or `code` (a country, a discount) is data, and replays must keep it.
const CREDENTIAL_WORDS = new Set(["auth", "pwd", "sig", "jwt", "otp"]);

/** Whether a header, query parameter or field name says that its value is a credential. */
export function isCredentialName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const joined = words.join("");
  if (CREDENTIAL_PARTS.some((part) => joined.includes(part))) return true;
  return words.length === 1 && CREDENTIAL_WORDS.has(joined);
}

/** Headers without the ones that carry credentials (Authorization, Cookie, X-Api-Key, X-Goog-Token…). */
export function withoutCredentialHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !isCredentialName(name)));
}

/** A URL whose credential query parameters read `redacted`; anything that is not a URL, as given. */
export function redactUrlCredentials(url: string): string {
  if (!URL.canParse(url)) return redactCredentialsInText(url);
  const parsed = new URL(url);
  let changed = false;
  for (const name of [...new Set(parsed.searchParams.keys())]) {
    if (isCredentialName(name)) {
      parsed.searchParams.set(name, REDACTED_PARAM);
      changed = true;
    }
  }
  if (parsed.username || parsed.password) {
    parsed.username = "";
    parsed.password = "";
    changed = true;
  }
  return changed ? parsed.toString() : url;
}

// A credential written into free text: `token=abc` in a quoted URL or form body, `Bearer abc`.
const PARAM_IN_TEXT = /([?&;]|^|\s)([A-Za-z0-9_.-]+)=([^&\s"'#]+)/g;
const BEARER_IN_TEXT = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;
const USER_INFO_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi;

/** Text (an error message, a form body) with credential parameters and bearer tokens redacted. */
export function redactCredentialsInText(text: string): string {
  return text
    .replace(PARAM_IN_TEXT, (whole, before: string, name: string) =>
      isCredentialName(name) ? `${before}${name}=${REDACTED_PARAM}` : whole,
    )
    .replace(BEARER_IN_TEXT, (_whole, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(USER_INFO_IN_TEXT, "$1");
}

/** A JSON value with every field named as a credential redacted, and credentials in strings too. */
export function redactJsonCredentials(value: unknown): unknown {
  if (typeof value === "string") return redactCredentialsInText(value);
  if (Array.isArray(value)) return value.map(redactJsonCredentials);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([name, inner]) => [
        name,
        isCredentialName(name) && inner !== null && typeof inner !== "object"
          ? REDACTED
          : redactJsonCredentials(inner),
      ]),
    );
  }
  return value;
}

/**
 * A body as text with its credentials redacted: JSON fields by name, form parameters by name, and
 * bearer tokens anywhere. A body that is neither JSON nor a form keeps its text, minus those.
 */
export function redactBodyCredentials(body: string): string {
  const trimmed = body.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(body);
      const redacted = redactJsonCredentials(parsed);
      // Unchanged bodies keep their exact bytes (and so their fingerprint and replay).
      return JSON.stringify(redacted) === JSON.stringify(parsed) ? body : JSON.stringify(redacted);
    } catch {
      // Not JSON after all: treated as text below.
    }
  }
  return redactCredentialsInText(body);
}
