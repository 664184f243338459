-- CreateEnum
CREATE TYPE "WebhookEventType" AS ENUM ('ALERT_RAISED', 'ALERT_RESOLVED', 'SYNC_FAILED');

-- CreateEnum
CREATE TYPE "WebhookFormat" AS ENUM ('STANDARD', 'SLACK');

-- CreateEnum
CREATE TYPE "WebhookDeliveryStatus" AS ENUM ('PENDING', 'SENDING', 'SUCCEEDED', 'DEAD');

-- CreateTable
CREATE TABLE "WebhookEndpoint" (
    "id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "eventTypes" "WebhookEventType"[],
    "format" "WebhookFormat" NOT NULL DEFAULT 'STANDARD',
    "includePersonalData" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabledReason" TEXT,
    "encryptedSecrets" TEXT NOT NULL,
    "previousSecretExpiresAt" TIMESTAMPTZ(3),
    "secretRotatedAt" TIMESTAMPTZ(3),
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "WebhookEndpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookEvent" (
    "id" UUID NOT NULL,
    "type" "WebhookEventType" NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,
    "data" JSONB NOT NULL,
    "customerId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutgoingWebhookDelivery" (
    "id" UUID NOT NULL,
    "eventId" UUID NOT NULL,
    "endpointId" UUID NOT NULL,
    "status" "WebhookDeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attemptCount" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3),
    "leaseUntil" TIMESTAMPTZ(3),
    "lastStatusCode" INTEGER,
    "lastError" TEXT,
    "succeededAt" TIMESTAMPTZ(3),
    "deadAt" TIMESTAMPTZ(3),
    "replayOfId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "OutgoingWebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutgoingWebhookAttempt" (
    "id" UUID NOT NULL,
    "deliveryId" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "attemptedAt" TIMESTAMPTZ(3) NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "statusCode" INTEGER,
    "error" TEXT,
    "responseBody" TEXT,

    CONSTRAINT "OutgoingWebhookAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebhookEndpoint_createdAt_idx" ON "WebhookEndpoint"("createdAt" DESC);

-- CreateIndex
CREATE INDEX "WebhookEvent_customerId_idx" ON "WebhookEvent"("customerId");

-- CreateIndex
CREATE INDEX "OutgoingWebhookDelivery_status_nextAttemptAt_idx" ON "OutgoingWebhookDelivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "OutgoingWebhookDelivery_endpointId_createdAt_idx" ON "OutgoingWebhookDelivery"("endpointId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "OutgoingWebhookDelivery_eventId_idx" ON "OutgoingWebhookDelivery"("eventId");

-- CreateIndex
CREATE UNIQUE INDEX "OutgoingWebhookAttempt_deliveryId_number_key" ON "OutgoingWebhookAttempt"("deliveryId", "number");

-- AddForeignKey
ALTER TABLE "OutgoingWebhookDelivery" ADD CONSTRAINT "OutgoingWebhookDelivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "WebhookEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutgoingWebhookDelivery" ADD CONSTRAINT "OutgoingWebhookDelivery_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "WebhookEndpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutgoingWebhookAttempt" ADD CONSTRAINT "OutgoingWebhookAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "OutgoingWebhookDelivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;
