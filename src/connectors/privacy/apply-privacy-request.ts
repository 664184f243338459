// Carrying out a provider's privacy request (erase or export) inside the ingest transaction, and
// recording it as a PrivacyRequest row: the audit trail of erasures, and where exports are kept.
// Idempotent on the provider's request id: a request delivered again changes nothing.
import type { Prisma } from "../../generated/prisma/client.ts";
import type { PrivacyRequestRecord } from "../../sdk/records.ts";
import { eraseCustomers } from "./erase-customers.ts";
import { exportCustomers } from "./export-customers.ts";
import { findCustomersByIdentities } from "./find-customers.ts";

export interface PrivacyOrigin {
  connectorId: string;
  source: string;
}

export interface PrivacyOutcome {
  /** erased: personal data removed; exported: an export stored; unchanged: a request seen before. */
  outcome: "erased" | "exported" | "unchanged";
  /** The customers it named (to rescore after an erasure). */
  customerIds: string[];
}

export async function applyPrivacyRequest(
  tx: Prisma.TransactionClient,
  origin: PrivacyOrigin,
  request: PrivacyRequestRecord,
): Promise<PrivacyOutcome> {
  const action = request.action === "erase" ? "ERASE" : "EXPORT";
  const seen = await tx.privacyRequest.findUnique({
    where: { source_requestId_action: { source: origin.source, requestId: request.requestId, action } },
    select: { id: true },
  });
  if (seen) return { outcome: "unchanged", customerIds: [] };

  const customerIds = await findCustomersByIdentities(tx, request.identities);
  let summary: Prisma.InputJsonObject;
  let exported: Prisma.InputJsonObject | undefined;
  if (action === "ERASE") {
    summary = {
      ...(await eraseCustomers(tx, {
        customerIds,
        source: origin.source,
        externalIds: request.externalIds,
      })),
    };
  } else {
    const document = await exportCustomers(tx, customerIds);
    exported = { ...document, requestId: request.requestId, requestedAt: request.requestedAt.toISOString() };
    summary = {
      customers: document.customers.length,
      interactions: document.customers.reduce((n, c) => n + ((c.interactions as unknown[]) ?? []).length, 0),
      feedback: document.customers.reduce((n, c) => n + ((c.feedback as unknown[]) ?? []).length, 0),
    };
  }
  // ON CONFLICT DO NOTHING: a concurrent delivery of the same request already recorded it.
  await tx.privacyRequest.createMany({
    data: [
      {
        connectorId: origin.connectorId,
        source: origin.source,
        requestId: request.requestId,
        action,
        requestedAt: request.requestedAt,
        customerIds,
        summary,
        export: exported,
      },
    ],
    skipDuplicates: true,
  });
  return { outcome: action === "ERASE" ? "erased" : "exported", customerIds };
}
