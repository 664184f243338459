// The benchmarked requests, sent exactly as the frontend pages send them: the printed typed
// documents of schema/operations with their variables, as GraphQL-over-HTTP JSON bodies. The same
// bodies go to the hub and to the baseline.
import { print } from "graphql";
import type pg from "pg";
import {
  AtRiskCustomersDocument,
  Customer360Document,
  CustomerListDocument,
  FeedbackDashboardDocument,
} from "../generated/graphql/graphql.ts";

/** Twelve months of answers up to the end of the CDNOW history, bucketed by ISO week. */
export const DASHBOARD_WINDOW = { from: "1997-07-01T00:00:00.000Z", to: "1998-07-01T00:00:00.000Z" };
export const ROTATING_CUSTOMERS = 200;
/** What the search scenario types: a first name and an initial, matching a few dozen customers by name. */
export const SEARCH_TEXT = "Mia W";

export interface Scenario {
  name: string;
  operationName: string;
  /** Request bodies, sent in turn. */
  bodies: string[];
  /** Whose key sends them: the ADMIN key with `pii` unless an account manager's page is measured. */
  key?: "accountManager";
}

export function body(operationName: string, query: string, variables: Record<string, unknown>): string {
  return JSON.stringify({ operationName, query, variables });
}

/** A fixed, spread-out sample of real customers: the same 200 on every run of the same data. */
export async function sampleCustomerIds(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `SELECT id FROM "Customer" WHERE "mergedIntoId" IS NULL ORDER BY md5(id::text) LIMIT $1`,
    [ROTATING_CUSTOMERS],
  );
  return rows.map((row) => row.id);
}

/** The Customer360 page's request for one customer, by its database id. */
export const customer360Body = (id: string) =>
  body("Customer360", print(Customer360Document), { id: Buffer.from(`Customer:${id}`).toString("base64") });

/** `accountManagerId`: the owner whose key the at-risk list is asked with (bench-api-key.ts). */
export async function buildScenarios(client: pg.Client, accountManagerId: string): Promise<Scenario[]> {
  const ids = await sampleCustomerIds(client);
  return [
    {
      name: "CustomerList (first: 20)",
      operationName: "CustomerList",
      bodies: [body("CustomerList", print(CustomerListDocument), { first: 20 })],
    },
    // The same page for a key without `pii` (an account manager's, narrowed to the customers they
    // own): every name, identity and summary on it is masked (src/auth/mask.ts), which the admin's
    // key never pays for (a phone-number matcher once cost such a page half the hub's CPU).
    {
      name: "CustomerList (account manager's key, no pii)",
      operationName: "CustomerList",
      key: "accountManager",
      bodies: [body("CustomerList", print(CustomerListDocument), { first: 20 })],
    },
    // Every other order of the same page: each must read a page, not sort every customer (issue 15).
    ...(["CREATED", "NAME", "CHURN_RISK", "LIFETIME_VALUE", "VALUE_AT_RISK"] as const).map((field) => ({
      name: `CustomerList by ${field} (first: 20)`,
      operationName: "CustomerList",
      bodies: [
        body("CustomerList", print(CustomerListDocument), {
          first: 20,
          orderBy: { field, direction: "DESC" },
        }),
      ],
    })),
    {
      name: `CustomerList search "${SEARCH_TEXT}" (first: 20)`,
      operationName: "CustomerList",
      bodies: [
        body("CustomerList", print(CustomerListDocument), { first: 20, filter: { search: SEARCH_TEXT } }),
      ],
    },
    // The page account managers live on: their HIGH and CRITICAL customers by churn risk, asked with
    // their own key (so visibility narrows it too), as the alerts page's at-risk list sends it.
    {
      name: "AtRiskCustomers (account manager's key, HIGH+CRITICAL by churn risk)",
      operationName: "AtRiskCustomers",
      key: "accountManager",
      bodies: [
        body("AtRiskCustomers", print(AtRiskCustomersDocument), {
          ownerId: Buffer.from(`Principal:${accountManagerId}`).toString("base64"),
        }),
      ],
    },
    {
      name: `Customer360 (${ids.length} customers)`,
      operationName: "Customer360",
      bodies: ids.map(customer360Body),
    },
    {
      name: "FeedbackDashboard (12 months, weekly)",
      operationName: "FeedbackDashboard",
      bodies: [body("FeedbackDashboard", print(FeedbackDashboardDocument), { filter: DASHBOARD_WINDOW })],
    },
  ];
}
