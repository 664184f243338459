// Encryption at rest of connectors' secret configuration (Connector.encryptedSecrets): AES-256-GCM
// with a 32-byte key, a random 96-bit IV per encryption, and a versioned text format that names the
// key by a fingerprint, so that a wrong key and a tampered value fail with different, clear messages.
// The embedded default keeps its key in a file beside the data, created with mode 0600 on first use.
//
//   v1.<key id>.<iv>.<ciphertext>.<tag>     (base64url parts; key id = 8 bytes of HMAC(key, "cx-hub key id"))
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, chmod, link, mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { decodeSecretKey, SECRET_KEY_BYTES as KEY_BYTES } from "../config.ts";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The key file of the embedded default, inside the data folder given to loadOrCreateSecretKey. */
export const SECRET_KEY_FILE = "connector-secrets.key";

/** The key is missing, malformed, or not the one a value was encrypted with; or a value was altered. */
export class SecretBoxError extends Error {
  override name = "SecretBoxError";
}

/**
 * This instance has no key at all. Not the connector's fault (another instance may hold the key), so
 * it does not mark the connector FAILING.
 */
export class MissingSecretKeyError extends SecretBoxError {
  override name = "MissingSecretKeyError";
}

/** What an operator does when the hub has no key for connector secrets. */
export const NO_SECRET_KEY_ADVICE =
  "set CXHUB_SECRET_KEY to 32 random bytes (openssl rand -base64 32), the same on every instance, and restart the hub";

/** A short, non-secret name of a key (16 hex digits), to tell keys apart in messages and formats. */
export function keyId(key: Uint8Array): string {
  return createHmac("sha256", key).update("cx-hub key id").digest().subarray(0, 8).toString("hex");
}

function assertKey(key: Uint8Array): void {
  if (key.length !== KEY_BYTES) {
    throw new SecretBoxError(`A secret key is ${KEY_BYTES} bytes; this one has ${key.length}.`);
  }
}

/**
 * Encrypts a configuration's secret part. `associatedData` (such as the connector's id) is
 * authenticated, not stored: decrypting needs the same value, so a value copied onto another
 * connector's row does not decrypt there.
 */
export function encryptSecrets(
  key: Uint8Array,
  secrets: Record<string, unknown>,
  associatedData = "",
): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(secrets), "utf8"), cipher.final()]);
  const parts = [iv, ciphertext, cipher.getAuthTag()].map((part) => part.toString("base64url"));
  return [VERSION, keyId(key), ...parts].join(".");
}

/** Decrypts what encryptSecrets wrote, or throws a SecretBoxError that says what is wrong. */
export function decryptSecrets(key: Uint8Array, box: string, associatedData = ""): Record<string, unknown> {
  assertKey(key);
  const parts = box.split(".");
  const [version, boxKeyId, iv, ciphertext, tag] = parts;
  if (version !== VERSION) {
    throw new SecretBoxError(
      `Encrypted secrets in format "${version}" cannot be read by this version of the hub, which reads "${VERSION}".`,
    );
  }
  if (parts.length !== 5 || !boxKeyId || !iv || ciphertext === undefined || !tag) {
    throw new SecretBoxError("The encrypted secrets are malformed (expected 5 dot-separated parts).");
  }
  if (boxKeyId !== keyId(key)) {
    throw new SecretBoxError(
      `These secrets were encrypted with another key (id ${boxKeyId}); this hub's key has id ${keyId(key)}. Restore the key they were encrypted with (CXHUB_SECRET_KEY or the key file), or enter the connector's secrets again.`,
    );
  }
  const ivBytes = Buffer.from(iv, "base64url");
  const tagBytes = Buffer.from(tag, "base64url");
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
    throw new SecretBoxError("The encrypted secrets are malformed (bad IV or tag length).");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, ivBytes);
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
    decipher.setAuthTag(tagBytes);
    const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]);
    return JSON.parse(plain.toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new SecretBoxError(
      "The encrypted secrets failed authentication: they were altered, or belong to another connector. Enter the connector's secrets again.",
    );
  }
}

/** A new random key. */
export function generateSecretKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** Reads a key written as base64 (44 characters) or hex (64), as in CXHUB_SECRET_KEY or the key file. */
export function parseSecretKey(text: string, where = "The secret key"): Buffer {
  const key = decodeSecretKey(text);
  if (!key) {
    throw new SecretBoxError(
      `${where} must be ${KEY_BYTES} random bytes written as base64 (44 characters) or hex (64); generate one with: openssl rand -base64 32`,
    );
  }
  return key;
}

export interface LoadedSecretKey {
  key: Buffer;
  /** The key file. */
  path: string;
  /** True when this call created it: say so at start-up, and that it must be backed up with the data. */
  created: boolean;
}

/**
 * The embedded default's key: read from `<dataDir>/connector-secrets.key`, or created there (mode
 * 0600) when absent. Two processes starting at once end up with the same key: the file appears
 * atomically, whole, and the loser reads the winner's.
 */
export async function loadOrCreateSecretKey(dataDir: string): Promise<LoadedSecretKey> {
  const file = path.join(dataDir, SECRET_KEY_FILE);
  const existing = await readKeyFile(file);
  if (existing) return { key: existing, path: file, created: false };

  await mkdir(dataDir, { recursive: true });
  const key = generateSecretKey();
  // Written whole under a temporary name, then linked into place: link fails if the file exists.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temporary, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  try {
    await chmod(temporary, 0o600); // The umask may have narrowed or, on odd systems, widened it.
    await link(temporary, file);
    return { key, path: file, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const winner = await readKeyFile(file);
    if (!winner)
      throw new SecretBoxError(`The secret key file ${file} appeared empty; remove it and start again.`);
    return { key: winner, path: file, created: false };
  } finally {
    await unlink(temporary).catch(() => {});
  }
}

async function readKeyFile(file: string): Promise<Buffer | undefined> {
  try {
    await access(file, constants.R_OK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new SecretBoxError(`The secret key file ${file} cannot be read: ${(error as Error).message}`);
  }
  const info = await stat(file);
  if (process.platform !== "win32" && (info.mode & 0o077) !== 0) {
    throw new SecretBoxError(
      `The secret key file ${file} can be read by other users (mode ${(info.mode & 0o777).toString(8)}); make it private with: chmod 600 ${file}`,
    );
  }
  return parseSecretKey(await readFile(file, "utf8"), `The secret key file ${file}`);
}
