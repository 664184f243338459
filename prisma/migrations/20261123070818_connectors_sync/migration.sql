-- CreateEnum
CREATE TYPE "DeadLetterKind" AS ENUM ('RECORD', 'WEBHOOK_DELIVERY');

-- CreateEnum
CREATE TYPE "PrivacyAction" AS ENUM ('ERASE', 'EXPORT');

-- AlterTable (by hand: the fingerprint is added nullable, back-filled with each letter's own id so
-- that no existing letters collide in the index below, then made required)
ALTER TABLE "DeadLetter" ADD COLUMN     "fingerprint" TEXT,
ADD COLUMN     "headers" JSONB,
ADD COLUMN     "kind" "DeadLetterKind" NOT NULL DEFAULT 'RECORD';
UPDATE "DeadLetter" SET "fingerprint" = "id"::text;
ALTER TABLE "DeadLetter" ALTER COLUMN "fingerprint" SET NOT NULL;

-- AlterTable
ALTER TABLE "SyncRun" ADD COLUMN     "durationMs" INTEGER,
ADD COLUMN     "heartbeatAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "owner" TEXT,
ADD COLUMN     "recordsDeleted" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "connectorId" UUID NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("connectorId","deliveryId")
);

-- CreateTable
CREATE TABLE "PrivacyRequest" (
    "id" UUID NOT NULL,
    "connectorId" UUID,
    "source" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "action" "PrivacyAction" NOT NULL,
    "requestedAt" TIMESTAMPTZ(3) NOT NULL,
    "completedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "customerIds" UUID[],
    "summary" JSONB NOT NULL,
    "export" JSONB,

    CONSTRAINT "PrivacyRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebhookDelivery_receivedAt_idx" ON "WebhookDelivery"("receivedAt");

-- CreateIndex
CREATE INDEX "PrivacyRequest_completedAt_idx" ON "PrivacyRequest"("completedAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "PrivacyRequest_source_requestId_action_key" ON "PrivacyRequest"("source", "requestId", "action");

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_connectorId_fkey" FOREIGN KEY ("connectorId") REFERENCES "Connector"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PrivacyRequest" ADD CONSTRAINT "PrivacyRequest_connectorId_fkey" FOREIGN KEY ("connectorId") REFERENCES "Connector"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Written by hand (Prisma cannot express these):

-- One pending dead letter per (connector, fingerprint): a record re-delivered after a resume, or a
-- webhook body sent again, is not dead-lettered twice (inserts use ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX "DeadLetter_one_pending_per_fingerprint" ON "DeadLetter" ("connectorId", "fingerprint") WHERE "status" = 'PENDING';

-- The new counts never go negative either.
ALTER TABLE "SyncRun" ADD CONSTRAINT "SyncRun_deleted_and_duration_not_negative" CHECK (
    "recordsDeleted" >= 0 AND ("durationMs" IS NULL OR "durationMs" >= 0)
);
