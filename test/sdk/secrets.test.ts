// Secret configuration fields: marked by the plugin, split off for encryption, redacted for display
// and logs, and shown to a form as writeOnly.

import { describe, expect, test } from "vitest";
import { z } from "zod";
import { createConnectorContext } from "../../src/sdk/context.ts";
import {
  configJsonSchema,
  isSecret,
  joinSecrets,
  REDACTED,
  redactSecrets,
  secret,
  secretPaths,
  splitSecrets,
} from "../../src/sdk/secrets.ts";

const schema = z.object({
  shop: z.string().describe("The shop's domain."),
  accessToken: secret(z.string().min(10)).describe("An Admin API access token."),
  webhookSecret: secret(z.string()).optional(),
  apiVersion: z.string().default("2025-01"),
  oauth: z.object({ clientId: z.string(), clientSecret: secret(z.string()) }).optional(),
});

const config = {
  shop: "acme.myshopify.com",
  accessToken: "shpat_0123456789abcdef",
  apiVersion: "2025-01",
  oauth: { clientId: "client-1", clientSecret: "cs_very_secret" },
};

describe("secret fields", () => {
  test("are found through optional, default and describe, nested objects included", () => {
    expect(isSecret(schema.shape.accessToken)).toBe(true);
    expect(isSecret(schema.shape.webhookSecret)).toBe(true);
    expect(isSecret(schema.shape.shop)).toBe(false);
    expect(secretPaths(schema)).toEqual([["accessToken"], ["webhookSecret"], ["oauth", "clientSecret"]]);
  });

  test("split off for encryption, and joined back to the same configuration", () => {
    const { public: visible, secrets } = splitSecrets(schema, config);
    expect(visible).toEqual({
      shop: "acme.myshopify.com",
      apiVersion: "2025-01",
      oauth: { clientId: "client-1" },
    });
    expect(secrets).toEqual({
      accessToken: "shpat_0123456789abcdef",
      oauth: { clientSecret: "cs_very_secret" },
    });
    expect(joinSecrets(visible, secrets)).toEqual(config);
  });

  test("read as REDACTED when shown, while absent ones stay absent", () => {
    expect(redactSecrets(schema, config)).toEqual({
      ...config,
      accessToken: REDACTED,
      oauth: { clientId: "client-1", clientSecret: REDACTED },
    });
    expect(config.accessToken).toBe("shpat_0123456789abcdef");
  });

  test("are writeOnly in the JSON Schema a form is built from; nothing else is", () => {
    const json = configJsonSchema({ config: schema }) as {
      properties: Record<
        string,
        { writeOnly?: boolean; description?: string; properties?: Record<string, { writeOnly?: boolean }> }
      >;
      required: string[];
    };
    const writeOnly = Object.entries(json.properties)
      .filter(([, field]) => field.writeOnly)
      .map(([key]) => key);
    expect(writeOnly).toEqual(["accessToken", "webhookSecret"]);
    expect(json.properties.oauth?.properties?.clientSecret?.writeOnly).toBe(true);
    expect(json.properties.oauth?.properties?.clientId?.writeOnly).toBeUndefined();
    expect(json.properties.accessToken?.description).toBe("An Admin API access token.");
    // A field with a default is optional to whoever fills in the form.
    expect(json.required).toEqual(["shop", "accessToken"]);
  });

  test("never reach the logs, even when a plugin logs them", () => {
    const lines: unknown[][] = [];
    const sink = { debug() {}, info: (...args: unknown[]) => lines.push(args), warn() {}, error() {} };
    const ctx = createConnectorContext(
      { id: "shopify", config: schema, streams: {} },
      { config, logger: sink },
    );
    ctx.logger.info(`calling with ${config.accessToken}`, {
      headers: { authorization: `Bearer ${config.accessToken}` },
    });
    expect(lines).toEqual([
      [`[connector shopify] calling with ${REDACTED}`, { headers: { authorization: `Bearer ${REDACTED}` } }],
    ]);
  });

  test("are not quoted when the configuration is refused", () => {
    expect(() =>
      createConnectorContext(
        { id: "shopify", config: schema, streams: {} },
        { config: { ...config, accessToken: "short" } },
      ),
    ).toThrow(/^The configuration of connector "shopify" is invalid: accessToken: Too small/);
    try {
      createConnectorContext(
        { id: "shopify", config: schema, streams: {} },
        { config: { ...config, accessToken: "short" } },
      );
    } catch (error) {
      expect((error as Error).message).not.toContain("short");
    }
  });
});
