// Credentials recognised by name, whatever their provider calls them, and only credentials: a
// record's author, key or code is data and stays.
import { describe, expect, test } from "vitest";
import {
  isCredentialName,
  redactBodyCredentials,
  redactUrlCredentials,
  withoutCredentialHeaders,
} from "../../src/sdk/redact-credentials.ts";

describe("credentials by name", () => {
  test("names that carry credentials", () => {
    for (const name of [
      "token",
      "access_token",
      "accessToken",
      "hub.verify_token",
      "Authorization",
      "proxy-authorization",
      "cookie",
      "x-api-key",
      "api_key",
      "apiKey",
      "client_secret",
      "password",
      "auth",
      "X-Goog-Api-Key",
    ]) {
      expect(isCredentialName(name), name).toBe(true);
    }
  });

  test("names that do not", () => {
    for (const name of [
      "author",
      "key",
      "code",
      "kind",
      "x-shopify-topic",
      "content-type",
      "historyId",
      "authorId",
    ]) {
      expect(isCredentialName(name), name).toBe(false);
    }
  });

  test("redacts URLs, headers and bodies, and leaves a body without credentials byte for byte", () => {
    expect(redactUrlCredentials("https://hub.example/webhooks/gmail?token=s3cret&a=1")).toBe(
      "https://hub.example/webhooks/gmail?token=redacted&a=1",
    );
    expect(redactUrlCredentials("https://user:pass@hub.example/x")).toBe("https://hub.example/x");
    expect(withoutCredentialHeaders({ Authorization: "Bearer x", "x-tinydesk-delivery": "d1" })).toEqual({
      "x-tinydesk-delivery": "d1",
    });
    const untouched = '{ "event": "ticket.updated",  "key": "k" }';
    expect(redactBodyCredentials(untouched)).toBe(untouched);
    expect(redactBodyCredentials('{"token":"s3cret","n":1}')).toBe('{"token":"••••••","n":1}');
    expect(redactBodyCredentials("token=s3cret&hub.mode=subscribe")).toBe(
      "token=redacted&hub.mode=subscribe",
    );
    expect(redactBodyCredentials("GET https://user:pass@api.example/x failed")).toBe(
      "GET https://api.example/x failed",
    );
  });
});
