// Emails and phones are personal data: a caller without the `pii` scope cannot search by them.
import { describe, expect, test } from "vitest";
import type { Viewer } from "../../src/auth/api-keys.ts";
import { canReadPersonalData, searchableIdentityKinds } from "../../src/auth/personal-data.ts";

const viewer = (scopes: string[]): Viewer => ({
  principalId: "00000000-0000-7000-8000-000000000001",
  principalName: "Ana",
  apiKeyId: "00000000-0000-7000-8000-000000000002",
  role: "ANALYST",
  scopes: new Set(scopes),
});

describe("personal data", () => {
  test("a caller without the pii scope searches handles and ids, not emails or phones", () => {
    expect(canReadPersonalData(viewer([]))).toBe(false);
    expect(searchableIdentityKinds(viewer([])).sort()).toEqual([
      "EXTERNAL_ID",
      "SHOP_CUSTOMER_ID",
      "SOCIAL_HANDLE",
    ]);
  });

  test("a caller with the pii scope searches every kind of identity", () => {
    expect(canReadPersonalData(viewer(["pii"]))).toBe(true);
    expect(searchableIdentityKinds(viewer(["pii"])).sort()).toEqual([
      "EMAIL",
      "EXTERNAL_ID",
      "PHONE",
      "SHOP_CUSTOMER_ID",
      "SOCIAL_HANDLE",
    ]);
  });
});
