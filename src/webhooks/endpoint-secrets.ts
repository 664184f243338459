// An endpoint's signing secrets at rest: encrypted with the hub's secret key (the key of connector
// secrets, src/connectors/secret-box.ts), the endpoint's id as associated data, so a value copied onto
// another endpoint's row does not decrypt there.
import { decryptSecrets, encryptSecrets, NO_SECRET_KEY_ADVICE } from "../connectors/secret-box.ts";
import { ConflictError } from "../domain/errors.ts";

export interface EndpointSecrets {
  current: string;
  /** The secret before the last rotation, signing beside the current one until its grace period ends. */
  previous?: string;
}

const associatedData = (endpointId: string) => `webhook-endpoint:${endpointId}`;

/** The key, or a ConflictError saying how to give the hub one. */
export function requireSecretKey(key: Uint8Array | null): Uint8Array {
  if (key) return key;
  throw new ConflictError(
    `This hub has no secret key to keep webhook secrets with: ${NO_SECRET_KEY_ADVICE}.`,
  );
}

export function sealEndpointSecrets(key: Uint8Array, endpointId: string, secrets: EndpointSecrets): string {
  return encryptSecrets(key, { ...secrets }, associatedData(endpointId));
}

export function openEndpointSecrets(key: Uint8Array, endpointId: string, box: string): EndpointSecrets {
  const value = decryptSecrets(key, box, associatedData(endpointId));
  if (typeof value.current !== "string")
    throw new Error(`Webhook endpoint ${endpointId} has no current secret.`);
  return {
    current: value.current,
    ...(typeof value.previous === "string" && { previous: value.previous }),
  };
}

/** The secrets that sign now: the current one, and the previous one until its grace period ends. */
export function signingSecrets(
  secrets: EndpointSecrets,
  previousExpiresAt: Date | null,
  now: Date,
): string[] {
  return secrets.previous && previousExpiresAt && previousExpiresAt > now
    ? [secrets.current, secrets.previous]
    : [secrets.current];
}
