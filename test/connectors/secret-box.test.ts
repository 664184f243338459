// Connector secrets at rest: AES-256-GCM round trip, refusal of altered values and of the wrong key
// (each with its own message), and the embedded default's key file.
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import {
  decryptSecrets,
  encryptSecrets,
  generateSecretKey,
  keyId,
  loadOrCreateSecretKey,
  parseSecretKey,
  SECRET_KEY_FILE,
} from "../../src/connectors/secret-box.ts";

const secrets = { accessToken: "shpat_0123456789abcdef", oauth: { clientSecret: "cs_very_secret" } };

describe("encrypting secrets", () => {
  const key = generateSecretKey();

  test("decrypts what it encrypted, and never writes the plaintext", () => {
    const box = encryptSecrets(key, secrets, "connector-1");
    expect(box).toMatch(/^v1\.[0-9a-f]{16}\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(box).not.toContain("shpat");
    expect(decryptSecrets(key, box, "connector-1")).toEqual(secrets);
  });

  test("uses a fresh IV each time, so equal secrets do not look equal", () => {
    expect(encryptSecrets(key, secrets)).not.toBe(encryptSecrets(key, secrets));
  });

  test("refuses a value altered in any part", () => {
    const box = encryptSecrets(key, secrets);
    const parts = box.split(".");
    for (const index of [2, 3, 4]) {
      const altered = [...parts];
      const part = altered[index] ?? "";
      altered[index] = (part[0] === "A" ? "B" : "A") + part.slice(1);
      expect(() => decryptSecrets(key, altered.join("."))).toThrow(
        /failed authentication: they were altered/,
      );
    }
  });

  test("refuses a value copied onto another connector", () => {
    const box = encryptSecrets(key, secrets, "connector-1");
    expect(() => decryptSecrets(key, box, "connector-2")).toThrow(/belong to another connector/);
  });

  test("says when the key is not the one the secrets were encrypted with", () => {
    const other = generateSecretKey();
    const box = encryptSecrets(other, secrets);
    expect(() => decryptSecrets(key, box)).toThrow(
      `These secrets were encrypted with another key (id ${keyId(other)}); this hub's key has id ${keyId(key)}.`,
    );
  });

  test("refuses keys of the wrong size and formats it does not know", () => {
    expect(() => encryptSecrets(Buffer.alloc(16), secrets)).toThrow(
      "A secret key is 32 bytes; this one has 16.",
    );
    expect(() => decryptSecrets(key, "v9.abc")).toThrow(/format "v9" cannot be read/);
  });
});

describe("reading a key", () => {
  test("accepts base64 and hex, and explains the expected form otherwise", () => {
    const key = generateSecretKey();
    expect(parseSecretKey(key.toString("base64")).equals(key)).toBe(true);
    expect(parseSecretKey(`${key.toString("hex")}\n`).equals(key)).toBe(true);
    expect(() => parseSecretKey("hunter2", "CXHUB_SECRET_KEY")).toThrow(
      "CXHUB_SECRET_KEY must be 32 random bytes written as base64 (44 characters) or hex (64); generate one with: openssl rand -base64 32",
    );
  });
});

describe("the embedded default's key file", () => {
  let dir = "";
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("is created once, private to its owner, and read back on the next start", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cxhub-key-"));
    const dataDir = path.join(dir, "data");
    const first = await loadOrCreateSecretKey(dataDir);
    expect(first).toMatchObject({ created: true, path: path.join(dataDir, SECRET_KEY_FILE) });
    if (process.platform !== "win32") expect((await stat(first.path)).mode & 0o777).toBe(0o600);
    expect(parseSecretKey(await readFile(first.path, "utf8")).equals(first.key)).toBe(true);

    const second = await loadOrCreateSecretKey(dataDir);
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
  });

  test("two processes starting at once agree on one key", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cxhub-key-"));
    const results = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateSecretKey(dir)));
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.key.toString("hex"))).size).toBe(1);
  });

  test.skipIf(process.platform === "win32")(
    "refuses a key file others can read, saying how to fix it",
    async () => {
      dir = await mkdtemp(path.join(tmpdir(), "cxhub-key-"));
      const file = path.join(dir, SECRET_KEY_FILE);
      await writeFile(file, generateSecretKey().toString("base64"));
      await chmod(file, 0o644);
      await expect(loadOrCreateSecretKey(dir)).rejects.toThrow(`make it private with: chmod 600 ${file}`);
    },
  );
});
