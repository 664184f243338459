// Runs a connector's streams, check and webhooks the way the hub does, with the real context (the
// real retrying fetch, so msw intercepts its calls) but without really sleeping, and hands back what
// came out, every record validated by the SDK's schemas: invalid ones are listed with their issues, as
// the hub would dead-letter them, never thrown.
import {
  type ConnectorContext,
  type CreateContextOptions,
  createConnectorContext,
  createStreamContext,
} from "../context.ts";
import type { AnyConnector, CheckResult } from "../define-connector.ts";
import type { HttpOptions, PlannedWait, Sleep } from "../http.ts";
import type { LoggerLike } from "../logger.ts";
import {
  type ConnectorRecord,
  type JsonValue,
  type RecordIssue,
  type ValidStreamOutput,
  validateRecord,
  validateStreamOutput,
} from "../records.ts";
import {
  collectWebhookResult,
  hmacSha256,
  type SyncRequest,
  toVerification,
  type WebhookRequest,
  type WebhookResponse,
  type WebhookVerification,
} from "../webhooks.ts";

export interface TestRunOptions {
  /** The configuration as a user would give it; validated by the connector's schema. */
  config: unknown;
  signal?: AbortSignal;
  /** Overrides of the connector's http options (a shorter timeout, fewer attempts). */
  http?: Partial<HttpOptions>;
  /** Where the context's logger writes; silent by default. */
  logger?: LoggerLike;
  /** The clock the fetch reads Retry-After dates and reset times against. */
  now?: () => number;
  /**
   * The fetch under ctx.fetch's retries: globalThis.fetch by default (which msw intercepts). The
   * acceptance checks wrap it to answer one request with a 429.
   */
  fetch?: typeof fetch;
  /** Told of every wait the fetch decides on, when it decides (they are also listed in `waits`). */
  onWait?: (wait: PlannedWait) => void;
}

/** A yielded value the hub would refuse, with why. */
export interface InvalidOutput {
  /** Its position among everything the stream yielded (or the webhook parsed), from 0. */
  index: number;
  payload: unknown;
  reason: string;
  issues: RecordIssue[];
}

export interface StreamRun {
  /** The valid records, normalized as the hub receives them. */
  records: ConnectorRecord[];
  /** The cursors of the checkpoints, in order. */
  checkpoints: JsonValue[];
  /** Every valid value in the order yielded, records and checkpoints: to check where checkpoints fall. */
  outputs: ValidStreamOutput[];
  invalid: InvalidOutput[];
  /**
   * Records kept without some of their identities, which were invalid (as the hub keeps them): the
   * record's position among everything yielded, and each identity left out with why.
   */
  droppedIdentities: Array<{ index: number; issues: RecordIssue[] }>;
  /** The waits the fetch decided on (backoff, Retry-After, rate-limit resets); none were slept. */
  waits: PlannedWait[];
}

/** Waits no time at all, but still stops at once when the signal aborts. */
const noSleep: Sleep = async (_ms, signal) => {
  signal?.throwIfAborted();
};

function contextOptions(options: TestRunOptions, waits: PlannedWait[]): CreateContextOptions {
  return {
    config: options.config,
    signal: options.signal,
    http: options.http,
    logger: options.logger,
    now: options.now,
    fetch: options.fetch,
    sleep: noSleep,
    onWait: (wait) => {
      waits.push(wait);
      options.onWait?.(wait);
    },
  };
}

/** A context as the connector's check and webhooks get it, for testing a plugin's own helpers. */
export function createTestContext<Config = Record<string, unknown>>(
  connector: AnyConnector,
  options: TestRunOptions,
): ConnectorContext<Config> {
  return createConnectorContext<Config>(connector, contextOptions(options, []));
}

/** Runs one stream to its end from `cursor` (none: a full sync) and collects what it yielded. */
export async function runStream(
  connector: AnyConnector,
  stream: string,
  options: TestRunOptions & { cursor?: JsonValue; dryRun?: boolean },
): Promise<StreamRun> {
  const run: StreamRun = {
    records: [],
    checkpoints: [],
    outputs: [],
    invalid: [],
    droppedIdentities: [],
    waits: [],
  };
  const ctx = createStreamContext(connector, stream, {
    ...contextOptions(options, run.waits),
    cursor: options.cursor,
    dryRun: options.dryRun,
  });
  let index = 0;
  for await (const value of connector.streams[stream]?.read(ctx) ?? []) {
    const result = validateStreamOutput(value);
    if (!result.success) {
      run.invalid.push({ index, payload: value, reason: result.reason, issues: result.issues });
    } else {
      run.outputs.push(result.data);
      if (result.droppedIdentities) run.droppedIdentities.push({ index, issues: result.droppedIdentities });
      if (result.data.type === "checkpoint") run.checkpoints.push(result.data.cursor as JsonValue);
      else run.records.push(result.data);
    }
    index++;
  }
  return run;
}

/** Runs the connector's check with this configuration. */
export async function runCheck(connector: AnyConnector, options: TestRunOptions): Promise<CheckResult> {
  return connector.check(createTestContext(connector, options));
}

export interface WebhookRun {
  /**
   * The plugin's verdict: the handshake's status, 401 when verification fails, 400 when the plugin
   * refused the body (a WebhookPayloadError), else 200. For a refused body whose signature verified,
   * the hub itself answers 200 and keeps the delivery as a dead letter, so that the provider stops
   * resending it (src/connectors/README.md, "Webhooks"); 400 here tells the refusal apart.
   */
  status: number;
  /** The handshake's answer, when the request was one. */
  handshake?: WebhookResponse;
  verification?: WebhookVerification;
  records: ConnectorRecord[];
  invalid: InvalidOutput[];
  /** Why the body could not be read (status 400). */
  error?: string;
  /** What is wrong with the body, at its paths (status 400, when the plugin validated with readWebhookPayload). */
  issues?: RecordIssue[];
  /** The sync the delivery asked the hub to run (requestSync), if it did. */
  sync?: SyncRequest;
}

/** Handles one webhook request as the hub's route does: handshake, verify, then parse. */
export async function runWebhook(
  connector: AnyConnector,
  request: WebhookRequest,
  options: TestRunOptions,
): Promise<WebhookRun> {
  const webhooks = connector.webhooks;
  if (!webhooks) throw new Error(`Connector "${connector.id}" handles no webhooks.`);
  const ctx = createTestContext(connector, options);
  const handshake = await webhooks.handshake?.(request, ctx);
  if (handshake) return { status: handshake.status, handshake, records: [], invalid: [] };
  let verification: WebhookVerification;
  let parsed: unknown[];
  let sync: SyncRequest | undefined;
  try {
    verification = toVerification(await webhooks.verify(request, ctx));
    if (!verification.valid) return { status: 401, verification, records: [], invalid: [] };
    ({ records: parsed, sync } = await collectWebhookResult(webhooks.parse(request, ctx)));
  } catch (error) {
    // An unreadable body is the sender's mistake (400); anything else is the plugin's, and propagates.
    if ((error as Error).name !== "WebhookPayloadError") throw error;
    const issues = (error as { issues?: RecordIssue[] }).issues ?? [];
    return { status: 400, records: [], invalid: [], error: (error as Error).message, issues };
  }
  const run: WebhookRun = { status: 200, verification, records: [], invalid: [], ...(sync ? { sync } : {}) };
  parsed.forEach((value, index) => {
    const result = validateRecord(value);
    if (result.success) run.records.push(result.data);
    else run.invalid.push({ index, payload: value, reason: result.reason, issues: result.issues });
  });
  return run;
}

export interface WebhookRequestOptions {
  /** A string is sent as is; anything else as JSON. */
  body: unknown;
  url?: string;
  method?: string;
  headers?: Record<string, string>;
}

/** A webhook request as the hub hands it to a plugin. */
export function webhookRequest(options: WebhookRequestOptions): WebhookRequest {
  const text = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  return {
    method: options.method ?? "POST",
    url: options.url ?? "https://hub.example.com/webhooks/test",
    headers: new Headers({ "content-type": "application/json", ...options.headers }),
    rawBody: new TextEncoder().encode(text),
  };
}

/**
 * A webhook request signed the way most providers sign: HMAC-SHA256 of the raw body with the
 * shared secret, in `header`, as `prefix` + the digest in `encoding`.
 */
export function signedRequest(
  options: WebhookRequestOptions & {
    secret: string;
    header: string;
    encoding?: "hex" | "base64" | "base64url";
    prefix?: string;
  },
): WebhookRequest {
  const request = webhookRequest(options);
  const signature = hmacSha256(options.secret, request.rawBody, options.encoding ?? "hex");
  request.headers.set(options.header, `${options.prefix ?? ""}${signature}`);
  return request;
}
