// Installed connectors: configuration validated by the plugin's schema, secrets encrypted at rest and
// never shown, write-only on reconfigure; pause, resume, remove.
import { describe, expect } from "vitest";
import {
  getConnector,
  installConnector,
  pauseConnector,
  readConnectorConfig,
  reconfigureConnector,
  removeConnector,
  resumeConnector,
  storedSecretFields,
} from "../../src/connectors/connector-store.ts";
import { createPluginRegistry } from "../../src/connectors/plugin-registry.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../src/domain/errors.ts";
import { REDACTED } from "../../src/sdk/secrets.ts";
import { test } from "../helpers/database.ts";
import { installTemplate, plugins, SECRET_KEY } from "./helpers/hub.ts";
import { TEMPLATE_CONFIG, TOKEN, WEBHOOK_SECRET } from "./helpers/tiny-desk-api.ts";

describe("the connector store", () => {
  test("stores secrets encrypted: the row's config has none, the blob does not contain them", async ({
    db,
  }) => {
    const view = await installTemplate(db.prisma);

    const row = await db.prisma.connector.findUniqueOrThrow({ where: { id: view.id } });
    expect(row.config).toEqual({});
    expect(row.encryptedSecrets).toMatch(/^v1\./);
    for (const secret of [TOKEN, WEBHOOK_SECRET]) {
      expect(row.encryptedSecrets).not.toContain(secret);
      expect(row.encryptedSecrets).not.toContain(Buffer.from(secret).toString("base64url"));
      expect(JSON.stringify(row.config)).not.toContain(secret);
    }
    // What the API shows: which secrets are set, never their value.
    expect(view.config).toEqual({ apiToken: REDACTED, webhookSecret: REDACTED });
    // What a run gets.
    expect(readConnectorConfig(SECRET_KEY, row)).toEqual({ apiToken: TOKEN, webhookSecret: WEBHOOK_SECRET });
    expect(view.secretsUnreadable).toBeNull();
    expect(storedSecretFields({ plugins, secretKey: SECRET_KEY }, row)).toEqual({
      set: ["apiToken", "webhookSecret"],
    });
  });

  test("a hub whose key cannot open the secrets shows the public part and says why, instead of failing", async ({
    db,
  }) => {
    const { id } = await installTemplate(db.prisma, "tinydesk", {
      ...TEMPLATE_CONFIG,
      baseUrl: "https://eu.tinydesk.example/v1",
    });
    const row = await db.prisma.connector.findUniqueOrThrow({ where: { id } });

    const otherKey = Buffer.alloc(32, 9);
    const elsewhere = await getConnector({ db: db.prisma, plugins, secretKey: otherKey }, { id });
    expect(elsewhere.config).toEqual({ baseUrl: "https://eu.tinydesk.example/v1" });
    expect(elsewhere.secretsUnreadable).toMatch(
      /^These secrets were encrypted with another key .* Restore the key/,
    );
    expect(storedSecretFields({ plugins, secretKey: otherKey }, row)).toEqual({
      unreadable: elsewhere.secretsUnreadable,
    });

    const keyless = await getConnector({ db: db.prisma, plugins, secretKey: null }, { id });
    expect(keyless.secretsUnreadable).toMatch(
      /^Connector "tinydesk" has stored secrets and this hub has no key/,
    );
    expect(storedSecretFields({ plugins, secretKey: null }, row)).toEqual({
      unreadable: keyless.secretsUnreadable,
    });

    // Without the plugin there is no schema to name the fields: the secrets' top-level keys.
    const noPlugins = createPluginRegistry([]);
    expect(storedSecretFields({ plugins: noPlugins, secretKey: SECRET_KEY }, row)).toEqual({
      set: ["apiToken", "webhookSecret"],
    });
  });

  test("keeps omitted (or redacted) secrets on reconfigure, replaces given ones, removes nulled optional ones", async ({
    db,
  }) => {
    const deps = { db: db.prisma, plugins, secretKey: SECRET_KEY };
    const { id } = await installTemplate(db.prisma);
    const configOf = async () =>
      readConnectorConfig(SECRET_KEY, await db.prisma.connector.findUniqueOrThrow({ where: { id } }));

    await reconfigureConnector(deps, { id }, { config: { baseUrl: "https://eu.tinydesk.example/v1" } });
    expect(await configOf()).toEqual({
      baseUrl: "https://eu.tinydesk.example/v1",
      apiToken: TOKEN,
      webhookSecret: WEBHOOK_SECRET,
    });

    await reconfigureConnector(
      deps,
      { id },
      { config: { apiToken: "td_live_new_token_1", webhookSecret: REDACTED } },
    );
    expect(await configOf()).toEqual({
      baseUrl: "https://eu.tinydesk.example/v1",
      apiToken: "td_live_new_token_1",
      webhookSecret: WEBHOOK_SECRET,
    });

    await reconfigureConnector(deps, { id }, { config: { webhookSecret: null } });
    expect(await configOf()).toEqual({
      baseUrl: "https://eu.tinydesk.example/v1",
      apiToken: "td_live_new_token_1",
    });
  });

  test("merges a partial configuration with the stored one and validates the result as a whole", async ({
    db,
  }) => {
    const deps = { db: db.prisma, plugins, secretKey: SECRET_KEY };
    const { id } = await installTemplate(db.prisma, "tinydesk", {
      ...TEMPLATE_CONFIG,
      baseUrl: "https://eu.tinydesk.example/v1",
    });
    const configOf = async () =>
      readConnectorConfig(SECRET_KEY, await db.prisma.connector.findUniqueOrThrow({ where: { id } }));

    // Rotating the token alone keeps the public field and the other secret.
    await reconfigureConnector(deps, { id }, { config: { apiToken: "td_live_rotated_22" } });
    expect(await configOf()).toEqual({
      baseUrl: "https://eu.tinydesk.example/v1",
      apiToken: "td_live_rotated_22",
      webhookSecret: WEBHOOK_SECRET,
    });

    // The merged whole is what is validated: removing a required field is refused at its path, and
    // nothing changes.
    const refused = await reconfigureConnector(deps, { id }, { config: { apiToken: null } }).catch((e) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).issues.map((issue) => issue.path.join("."))).toEqual([
      "config.apiToken",
    ]);
    const bad = await reconfigureConnector(deps, { id }, { config: { baseUrl: "not a url" } }).catch(
      (e) => e,
    );
    expect((bad as ValidationError).issues.map((issue) => issue.path.join("."))).toEqual(["config.baseUrl"]);
    expect((await configOf()).apiToken).toBe("td_live_rotated_22");

    // null removes a field: the plugin's default applies again.
    await reconfigureConnector(deps, { id }, { config: { baseUrl: null } });
    expect(await configOf()).toEqual({ apiToken: "td_live_rotated_22", webhookSecret: WEBHOOK_SECRET });
  });

  test("refuses a configuration the plugin's schema rejects, with an issue per field", async ({ db }) => {
    const error = await installTemplate(db.prisma, "tinydesk", {
      apiToken: "short",
      baseUrl: "not a url",
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path.join("."))).toEqual([
      "config.baseUrl",
      "config.apiToken",
    ]);
    expect((error as ValidationError).message).not.toContain("short");
    expect(await db.prisma.connector.count()).toBe(0);
  });

  test("refuses a taken name, a bad name and an unknown plugin", async ({ db }) => {
    const deps = { db: db.prisma, plugins, secretKey: SECRET_KEY };
    await installTemplate(db.prisma);
    await expect(installTemplate(db.prisma)).rejects.toThrow(ConflictError);
    await expect(installTemplate(db.prisma, "Tiny Desk")).rejects.toThrow(ValidationError);
    await expect(
      installConnector(deps, { pluginId: "zendesk", name: "zendesk", config: {} }),
    ).rejects.toThrow(NotFoundError);
  });

  test("pauses, resumes and removes a connector", async ({ db }) => {
    const deps = { db: db.prisma, plugins, secretKey: SECRET_KEY };
    await installTemplate(db.prisma);
    expect((await pauseConnector(deps, { name: "tinydesk" })).status).toBe("PAUSED");
    expect((await resumeConnector(deps, { name: "tinydesk" })).status).toBe("ACTIVE");
    await removeConnector(deps, { name: "tinydesk" });
    await expect(getConnector(deps, { name: "tinydesk" })).rejects.toThrow(NotFoundError);
  });
});
