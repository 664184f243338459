// Who sees which customers: account managers their own book, every other role all of it; a record
// that carries its customer is judged without a lookup.
import { describe, expect, test } from "vitest";
import type { Viewer } from "../../src/auth/api-keys.ts";
import {
  canReadCustomers,
  canSeeRecordOf,
  visibleCustomers,
  visibleOwnerId,
  visibleRecords,
} from "../../src/auth/visibility.ts";

const ANA = "00000000-0000-7000-8000-00000000000a";
const BEN = "00000000-0000-7000-8000-00000000000b";
const viewer = (role: Viewer["role"]): Viewer => ({
  principalId: ANA,
  principalName: "Ana",
  apiKeyId: "00000000-0000-7000-8000-000000000001",
  role,
  scopes: new Set(),
});
const noLookUp = () => Promise.reject(new Error("no lookup was expected"));

describe("visibility", () => {
  test("an account manager's lists and figures narrow to their own customers; an analyst's do not", () => {
    expect(visibleOwnerId(viewer("ACCOUNT_MANAGER"))).toBe(ANA);
    expect(visibleCustomers(viewer("ACCOUNT_MANAGER"))).toEqual({ ownerId: ANA });
    expect(visibleRecords(viewer("ACCOUNT_MANAGER"))).toEqual({ customer: { ownerId: ANA } });
    expect(visibleOwnerId(viewer("ANALYST"))).toBeNull();
    expect(visibleCustomers(viewer("ANALYST"))).toEqual({});
    expect(visibleRecords(viewer("ANALYST"))).toEqual({});
  });

  test("a record that carries its customer is judged at once, without a promise", () => {
    const manager = viewer("ACCOUNT_MANAGER");
    expect(canSeeRecordOf(manager, { customerId: "c1", customer: { ownerId: ANA } }, noLookUp)).toBe(true);
    expect(canSeeRecordOf(manager, { customerId: "c2", customer: { ownerId: BEN } }, noLookUp)).toBe(false);
    expect(canSeeRecordOf(viewer("ADMIN"), { customerId: "c2" }, noLookUp)).toBe(true);
  });

  test("a record without its customer is judged by its owner, looked up only for account managers", async () => {
    const owners: Record<string, { ownerId: string | null } | null> = {
      mine: { ownerId: ANA },
      bens: { ownerId: BEN },
      gone: null,
    };
    const lookUp = async (id: string) => owners[id] ?? null;
    const manager = viewer("ACCOUNT_MANAGER");
    expect(await canSeeRecordOf(manager, { customerId: "mine" }, lookUp)).toBe(true);
    expect(await canSeeRecordOf(manager, { customerId: "bens" }, lookUp)).toBe(false);
    expect(await canSeeRecordOf(manager, { customerId: "gone" }, lookUp)).toBe(false);
  });

  test("an owner the request already knows is judged at once, without a promise", () => {
    const owners: Record<string, { ownerId: string | null } | null> = {
      mine: { ownerId: ANA },
      bens: { ownerId: BEN },
    };
    const known = (id: string) => owners[id] ?? null;
    const manager = viewer("ACCOUNT_MANAGER");
    expect(canSeeRecordOf(manager, { customerId: "mine" }, known)).toBe(true);
    expect(canSeeRecordOf(manager, { customerId: "bens" }, known)).toBe(false);
    expect(canSeeRecordOf(manager, { customerId: "gone" }, known)).toBe(false);
  });

  test("integrators read customers only with the customers scope; other roles by their role", () => {
    expect(canReadCustomers(viewer("INTEGRATOR"))).toBe(false);
    expect(canReadCustomers({ ...viewer("INTEGRATOR"), scopes: new Set(["pii"]) })).toBe(false);
    expect(canReadCustomers({ ...viewer("INTEGRATOR"), scopes: new Set(["customers"]) })).toBe(true);
    for (const role of ["ADMIN", "ANALYST", "ACCOUNT_MANAGER"] as const) {
      expect(canReadCustomers(viewer(role)), role).toBe(true);
    }
  });
});
