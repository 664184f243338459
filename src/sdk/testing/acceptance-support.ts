// What the acceptance checks share (acceptance.ts runs them; acceptance-rate-limit.ts is the 429 one):
// their names and options, how a failure is reported, and how records are compared between runs.
import { redactUrl } from "../http.ts";
import type { ConnectorRecord } from "../records.ts";
import type { WebhookRequest } from "../webhooks.ts";
import type { StreamRun, TestRunOptions } from "./runs.ts";

export const ACCEPTANCE_CHECKS = [
  "validRecords",
  "checkpointsFollowRecords",
  "incrementalSubset",
  "rateLimitHonoured",
] as const;
export type AcceptanceCheck = (typeof ACCEPTANCE_CHECKS)[number];

export interface AcceptanceOptions extends Omit<TestRunOptions, "fetch" | "onWait"> {
  /** The streams to check; every stream of the connector when omitted. */
  streams?: string[];
  /** Webhook deliveries (signed as the provider signs) whose records must be valid too. */
  webhooks?: WebhookRequest[];
  /**
   * The provider's answer to a throttled request, with its Retry-After; by default a 429 with
   * `Retry-After: 7`. Give the provider's documented 429 body when it has one.
   */
  rateLimited?: () => Response;
  /** Which request of a full run is throttled, counting from 1 (the first by default). */
  rateLimitedRequest?: number;
  /** Called before every run: reset stateful handlers here (the checks run each stream several times). */
  beforeRun?: () => void | Promise<void>;
  /** The most checkpoints of one run to resume from (the last always among them); 12 by default. */
  maxResumes?: number;
}

/** Reports one failure of a check, with a sentence saying what went wrong. */
export type Fail = (check: AcceptanceCheck, message: string) => void;

/**
 * Lists the invalid outputs of a run. A record kept without an invalid identity (a phone without its
 * country code) is no failure: the guide asks for every identity the provider has, and the hub drops
 * the bad one with a warning on the run. The report counts such records (droppedIdentities).
 */
export function checkValid(run: StreamRun, which: string, fail: Fail): void {
  for (const invalid of run.invalid) {
    fail("validRecords", `${which}, output ${invalid.index}: ${invalid.reason}`);
  }
}

/** The test-run options of the acceptance options. */
export function runOptions(options: AcceptanceOptions): TestRunOptions {
  const { streams, webhooks, rateLimited, rateLimitedRequest, beforeRun, maxResumes, ...rest } = options;
  return rest;
}

/** The run's result, or the error it failed with. */
export async function attempt<T>(work: () => Promise<T>): Promise<T | Error> {
  try {
    return await work();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** A record as canonical JSON (keys sorted, dates as ISO strings): equal records, equal keys. */
export function recordKey(record: ConnectorRecord): string {
  return JSON.stringify(record, (_key, value: unknown) =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

/** "interaction order:o1": a record named in a message. */
export function describeRecord(record: ConnectorRecord | undefined): string {
  if (!record) return "none";
  const id = "externalId" in record && record.externalId ? ` ${record.externalId}` : "";
  return `${record.type}${id}`;
}

/** A request's URL as the fetch names it in its waits (credentials and secrets masked). */
export const requestUrl = (input: string | URL | Request) =>
  redactUrl(input instanceof Request ? input.url : String(input));
