// What the baseline's three handlers share: who is asking, the refusal of bad requests, and the
// hub's conventions they reproduce (global IDs, DateTime strings, page sizes, masking of personal data,
// an account manager's view limited to the customers they own).
import { maskEmail, maskFreeText, maskPhone } from "../../src/auth/mask.ts";

export interface BaselineViewer {
  principalId: string;
  role: "ADMIN" | "INTEGRATOR" | "ANALYST" | "ACCOUNT_MANAGER";
  pii: boolean;
}

/** A request the baseline refuses, answered with 400 and the message. */
export class BadRequest extends Error {}

const MAX_PAGE_SIZE = 100;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A timestamptz as the GraphQL DateTime scalar prints it: 2026-11-23T09:30:00.000Z. */
export const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export const globalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString("base64");

export const viewerOwner = (viewer: BaselineViewer) =>
  viewer.role === "ACCOUNT_MANAGER" ? viewer.principalId : null;

export function maskIdentity<T extends { kind: string; value: string }>(
  viewer: BaselineViewer,
  identity: T,
): T {
  if (viewer.pii) return identity;
  if (identity.kind === "EMAIL") return { ...identity, value: maskEmail(identity.value) };
  if (identity.kind === "PHONE") return { ...identity, value: maskPhone(identity.value) };
  // As the hub: a shop id or external id may be an email the source used as its key.
  return { ...identity, value: maskFreeText(identity.value) };
}

/** Free text (a name, a summary) as a viewer sees it: emails and phones in it masked without `pii`. */
export const freeTextFor = (viewer: BaselineViewer, text: string | null) =>
  viewer.pii ? text : maskFreeText(text);

export function pageSize(value: unknown, fallback: number): number {
  const size = value ?? fallback;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new BadRequest(`first must be an integer from 0 to ${MAX_PAGE_SIZE}.`);
  }
  return size;
}

export function refuseUnsupported(variables: Record<string, unknown>, names: string[]): void {
  for (const name of names) {
    if (variables[name] != null)
      throw new BadRequest(`The baseline does not implement the variable ${name}.`);
  }
}
