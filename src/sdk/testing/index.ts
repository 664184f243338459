// The test kit (`cx-hub/sdk/testing`): run a connector's streams, check and webhooks as the hub does
// (runs.ts), and the acceptance checks every plugin's tests run in one line (acceptance.ts).
export type {
  AcceptanceCheck,
  AcceptanceFailure,
  AcceptanceOptions,
  AcceptanceReport,
  StreamAcceptance,
} from "./acceptance.ts";
export { ACCEPTANCE_CHECKS, AcceptanceError, checkAcceptance, expectAcceptance } from "./acceptance.ts";
export type {
  InvalidOutput,
  StreamRun,
  TestRunOptions,
  WebhookRequestOptions,
  WebhookRun,
} from "./runs.ts";
export {
  createTestContext,
  runCheck,
  runStream,
  runWebhook,
  signedRequest,
  webhookRequest,
} from "./runs.ts";
