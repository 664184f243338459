// cx-hub/sdk — what a connector plugin imports. A plugin's module default-exports
// `defineConnector({ id, name, channel, version, config, check, streams, webhooks? })`; its streams
// yield the records below and checkpoints; the hub validates, stores and checkpoints them.
// The guide is plugins/README.md; the test kit is cx-hub/sdk/testing; plugins/template is a plugin to copy.

// What check, streams and webhooks receive. (The hub builds contexts with context.ts directly.)
export type { ConfigIssue, ConnectorContext, StreamContext } from "./context.ts";
export { ConnectorConfigError, ConnectorCursorError } from "./context.ts";
// Declaring a connector, and the contract version the hub checks at load.
export type {
  AnyConnector,
  CheckResult,
  Connector,
  ConnectorDefinition,
  CursorSchema,
  StreamDefinition,
} from "./define-connector.ts";
export { defineConnector, SDK_API_VERSION } from "./define-connector.ts";
// The context's fetch: timeouts, retries with backoff and jitter, Retry-After and rate limits.
export type {
  ConnectorFetch,
  ConnectorFetchInit,
  HttpOptions,
  PlannedWait,
  RateLimitDecision,
  RateLimitHook,
  RetryOptions,
  Sleep,
} from "./http.ts";
export {
  DEFAULT_HTTP_OPTIONS,
  expectOk,
  HttpError,
  isRetryableStatus,
  redactUrl,
  waitFromHeaders,
} from "./http.ts";
// Identity normalization, as the hub matches identities: for a plugin that compares or de-duplicates
// the identities it reports (new: the rules moved here from the hub's domain, which now uses them).
export { normalizeEmail, normalizePhone, normalizeSocialHandle } from "./identities.ts";
export type { ConnectorLogger } from "./logger.ts";
// Money: how many decimals a currency's amounts usually have (USD 2, JPY 0, KWD 3), cached.
export { currencyMinorUnits } from "./money.ts";
// Normalized records, their schemas and constructors.
export type {
  Channel,
  Checkpoint,
  ConnectorRecord,
  ConnectorRecordInput,
  CustomerRecord,
  CustomerRecordInput,
  DeletionRecord,
  DeletionRecordInput,
  Direction,
  FeedbackKind,
  FeedbackRecord,
  FeedbackRecordInput,
  Identity,
  IdentityInput,
  IdentityKind,
  InteractionRecord,
  InteractionRecordInput,
  JsonValue,
  LifecycleStage,
  PrivacyRequestRecord,
  PrivacyRequestRecordInput,
  RecordIssue,
  StreamOutput,
  Validated,
  ValidStreamOutput,
} from "./records.ts";
export {
  CHANNELS,
  checkpoint,
  checkpointSchema,
  connectorRecordSchema,
  customerRecordSchema,
  DIRECTIONS,
  deletionRecordSchema,
  FEEDBACK_KINDS,
  feedbackRecordSchema,
  IDENTITY_KINDS,
  identitiesSchema,
  identity,
  interactionRecordSchema,
  LIFECYCLE_STAGES,
  privacyRequestRecordSchema,
  record,
  streamOutputSchema,
  validateRecord,
  validateStreamOutput,
} from "./records.ts";
// Secret configuration fields. (Splitting, joining and redacting are the hub's, in secrets.ts.)
export { configJsonSchema, isSecret, REDACTED, secret } from "./secrets.ts";
// The hub's one sentiment scale (new): s/√(s²+15) of the AFINN-165 sum, for a plugin that scores
// other words than a record's body; a record without a sentiment has its inbound body scored by the hub.
export { scoreSentiment } from "./sentiment.ts";
// The answer scale of each survey kind, for a plugin mapping a provider's survey onto NPS, CSAT, CES or
// a good/bad rating (new: formerly the hub's own).
export { FEEDBACK_SCORE_RANGES } from "./vocabulary.ts";
// Webhooks: request and answer shapes, and signature helpers.
export type {
  SyncRequest,
  WebhookHandler,
  WebhookRecordList,
  WebhookRecords,
  WebhookRequest,
  WebhookResponse,
  WebhookResult,
  WebhookVerification,
} from "./webhooks.ts";
export {
  bodyJson,
  bodyText,
  hmacSha256,
  readWebhookPayload,
  requestSync,
  timingSafeEqualString,
  verifyHmacSha256,
  WebhookPayloadError,
} from "./webhooks.ts";
