-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "LifecycleStage" AS ENUM ('LEAD', 'PROSPECT', 'CUSTOMER', 'EVANGELIST', 'CHURNED');

-- CreateEnum
CREATE TYPE "IdentityKind" AS ENUM ('EMAIL', 'PHONE', 'SHOP_CUSTOMER_ID', 'SOCIAL_HANDLE', 'EXTERNAL_ID');

-- CreateEnum
CREATE TYPE "Channel" AS ENUM ('EMAIL', 'ECOMMERCE', 'SOCIAL', 'SUPPORT', 'WEB', 'PHONE', 'CHAT', 'OTHER');

-- CreateEnum
CREATE TYPE "Direction" AS ENUM ('INBOUND', 'OUTBOUND');

-- CreateEnum
CREATE TYPE "FeedbackKind" AS ENUM ('NPS', 'CSAT', 'CES');

-- CreateEnum
CREATE TYPE "ChurnRiskLevel" AS ENUM ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL');

-- CreateEnum
CREATE TYPE "AlertStatus" AS ENUM ('OPEN', 'ACKNOWLEDGED', 'RESOLVED');

-- CreateEnum
CREATE TYPE "ConnectorStatus" AS ENUM ('ACTIVE', 'PAUSED', 'FAILING');

-- CreateEnum
CREATE TYPE "SyncTrigger" AS ENUM ('MANUAL', 'SCHEDULED');

-- CreateEnum
CREATE TYPE "SyncRunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "DeadLetterStatus" AS ENUM ('PENDING', 'REPLAYED', 'DISCARDED');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'INTEGRATOR', 'ANALYST', 'ACCOUNT_MANAGER');

-- CreateTable
CREATE TABLE "Customer" (
    "id" UUID NOT NULL,
    "displayName" TEXT,
    "traits" JSONB NOT NULL DEFAULT '{}',
    "lifecycleStage" "LifecycleStage" NOT NULL DEFAULT 'LEAD',
    "ownerId" UUID,
    "firstSeenAt" TIMESTAMPTZ(3),
    "lastSeenAt" TIMESTAMPTZ(3),
    "mergedIntoId" UUID,
    "mergedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Identity" (
    "id" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "kind" "IdentityKind" NOT NULL,
    "namespace" TEXT NOT NULL DEFAULT '',
    "value" TEXT NOT NULL,
    "source" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Identity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CustomerMerge" (
    "id" UUID NOT NULL,
    "survivorId" UUID NOT NULL,
    "mergedId" UUID NOT NULL,
    "mergedById" UUID,
    "reason" TEXT NOT NULL,
    "moved" JSONB NOT NULL,
    "traitConflicts" JSONB NOT NULL DEFAULT '[]',
    "mergedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CustomerMerge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Interaction" (
    "id" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "channel" "Channel" NOT NULL,
    "kind" TEXT NOT NULL,
    "direction" "Direction" NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,
    "summary" TEXT,
    "body" TEXT,
    "amount" DECIMAL(19,4),
    "currency" CHAR(3),
    "sentiment" DOUBLE PRECISION,
    "conversationId" TEXT,
    "metadata" JSONB,
    "recordedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Interaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Feedback" (
    "id" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "kind" "FeedbackKind" NOT NULL,
    "score" INTEGER NOT NULL,
    "comment" TEXT,
    "channel" "Channel",
    "touchpoint" TEXT,
    "interactionId" UUID,
    "sentiment" DOUBLE PRECISION,
    "respondedAt" TIMESTAMPTZ(3) NOT NULL,
    "recordedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Feedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Journey" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Journey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JourneyStage" (
    "id" UUID NOT NULL,
    "journeyId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "enteredBy" TEXT[],
    "condition" JSONB,

    CONSTRAINT "JourneyStage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JourneyProgress" (
    "id" UUID NOT NULL,
    "journeyId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "currentStageId" UUID NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "stageEnteredAt" TIMESTAMPTZ(3) NOT NULL,
    "completedAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "JourneyProgress_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JourneyTransition" (
    "id" UUID NOT NULL,
    "progressId" UUID NOT NULL,
    "fromStageId" UUID,
    "toStageId" UUID NOT NULL,
    "interactionId" UUID,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "JourneyTransition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Score" (
    "customerId" UUID NOT NULL,
    "churnRisk" DOUBLE PRECISION NOT NULL,
    "churnRiskLevel" "ChurnRiskLevel" NOT NULL,
    "reasons" JSONB NOT NULL DEFAULT '[]',
    "probabilityAlive" DOUBLE PRECISION,
    "expectedTransactions" DOUBLE PRECISION,
    "clv" DECIMAL(19,4),
    "currency" CHAR(3),
    "health" INTEGER,
    "modelVersion" TEXT NOT NULL,
    "computedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Score_pkey" PRIMARY KEY ("customerId")
);

-- CreateTable
CREATE TABLE "ScoreHistory" (
    "id" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "churnRisk" DOUBLE PRECISION NOT NULL,
    "churnRiskLevel" "ChurnRiskLevel" NOT NULL,
    "reasons" JSONB NOT NULL DEFAULT '[]',
    "probabilityAlive" DOUBLE PRECISION,
    "expectedTransactions" DOUBLE PRECISION,
    "clv" DECIMAL(19,4),
    "currency" CHAR(3),
    "health" INTEGER,
    "modelVersion" TEXT NOT NULL,
    "computedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ScoreHistory_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "ownerId" UUID,
    "level" "ChurnRiskLevel" NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "previousScore" DOUBLE PRECISION,
    "previousLevel" "ChurnRiskLevel",
    "reasons" JSONB NOT NULL DEFAULT '[]',
    "status" "AlertStatus" NOT NULL DEFAULT 'OPEN',
    "triggerKey" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledgedAt" TIMESTAMPTZ(3),
    "acknowledgedById" UUID,
    "resolvedAt" TIMESTAMPTZ(3),
    "resolvedById" UUID,
    "resolutionNote" TEXT,
    "snoozedUntil" TIMESTAMPTZ(3),

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Connector" (
    "id" UUID NOT NULL,
    "pluginId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "encryptedSecrets" TEXT,
    "status" "ConnectorStatus" NOT NULL DEFAULT 'ACTIVE',
    "syncIntervalSeconds" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Connector_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncCursor" (
    "connectorId" UUID NOT NULL,
    "stream" TEXT NOT NULL,
    "cursor" JSONB NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SyncCursor_pkey" PRIMARY KEY ("connectorId","stream")
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" UUID NOT NULL,
    "connectorId" UUID NOT NULL,
    "trigger" "SyncTrigger" NOT NULL,
    "status" "SyncRunStatus" NOT NULL DEFAULT 'QUEUED',
    "queuedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "cancelRequestedAt" TIMESTAMPTZ(3),
    "recordsFetched" INTEGER NOT NULL DEFAULT 0,
    "recordsCreated" INTEGER NOT NULL DEFAULT 0,
    "recordsUpdated" INTEGER NOT NULL DEFAULT 0,
    "recordsUnchanged" INTEGER NOT NULL DEFAULT 0,
    "recordsDeadLettered" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "SyncRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeadLetter" (
    "id" UUID NOT NULL,
    "connectorId" UUID,
    "syncRunId" UUID,
    "stream" TEXT,
    "payload" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "details" JSONB,
    "status" "DeadLetterStatus" NOT NULL DEFAULT 'PENDING',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMPTZ(3),

    CONSTRAINT "DeadLetter_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Principal" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Principal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "principalId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "prefix" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),
    "expiresAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Customer_ownerId_lastSeenAt_idx" ON "Customer"("ownerId", "lastSeenAt" DESC);

-- CreateIndex
CREATE INDEX "Customer_lastSeenAt_idx" ON "Customer"("lastSeenAt" DESC);

-- CreateIndex
CREATE INDEX "Customer_createdAt_idx" ON "Customer"("createdAt" DESC);

-- CreateIndex
CREATE INDEX "Customer_displayName_idx" ON "Customer"("displayName");

-- CreateIndex
CREATE INDEX "Customer_mergedIntoId_idx" ON "Customer"("mergedIntoId");

-- CreateIndex
CREATE INDEX "Identity_customerId_idx" ON "Identity"("customerId");

-- CreateIndex
CREATE INDEX "Identity_value_idx" ON "Identity"("value");

-- CreateIndex
CREATE UNIQUE INDEX "Identity_kind_namespace_value_key" ON "Identity"("kind", "namespace", "value");

-- CreateIndex
CREATE INDEX "CustomerMerge_survivorId_mergedAt_idx" ON "CustomerMerge"("survivorId", "mergedAt" DESC);

-- CreateIndex
CREATE INDEX "CustomerMerge_mergedId_idx" ON "CustomerMerge"("mergedId");

-- CreateIndex
CREATE INDEX "Interaction_customerId_occurredAt_idx" ON "Interaction"("customerId", "occurredAt" DESC);

-- CreateIndex
CREATE INDEX "Interaction_customerId_channel_occurredAt_idx" ON "Interaction"("customerId", "channel", "occurredAt" DESC);

-- CreateIndex
CREATE INDEX "Interaction_kind_occurredAt_idx" ON "Interaction"("kind", "occurredAt");

-- CreateIndex
CREATE INDEX "Interaction_conversationId_idx" ON "Interaction"("conversationId");

-- CreateIndex
CREATE UNIQUE INDEX "Interaction_source_externalId_key" ON "Interaction"("source", "externalId");

-- CreateIndex
CREATE INDEX "Feedback_customerId_respondedAt_idx" ON "Feedback"("customerId", "respondedAt" DESC);

-- CreateIndex
CREATE INDEX "Feedback_kind_respondedAt_idx" ON "Feedback"("kind", "respondedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Feedback_source_externalId_key" ON "Feedback"("source", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Journey_key_key" ON "Journey"("key");

-- CreateIndex
CREATE UNIQUE INDEX "JourneyStage_journeyId_position_key" ON "JourneyStage"("journeyId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "JourneyStage_journeyId_key_key" ON "JourneyStage"("journeyId", "key");

-- CreateIndex
CREATE INDEX "JourneyProgress_journeyId_currentStageId_idx" ON "JourneyProgress"("journeyId", "currentStageId");

-- CreateIndex
CREATE INDEX "JourneyProgress_customerId_idx" ON "JourneyProgress"("customerId");

-- CreateIndex
CREATE UNIQUE INDEX "JourneyProgress_journeyId_customerId_key" ON "JourneyProgress"("journeyId", "customerId");

-- CreateIndex
CREATE INDEX "JourneyTransition_progressId_occurredAt_idx" ON "JourneyTransition"("progressId", "occurredAt");

-- CreateIndex
CREATE INDEX "JourneyTransition_toStageId_occurredAt_idx" ON "JourneyTransition"("toStageId", "occurredAt");

-- CreateIndex
CREATE INDEX "Score_churnRisk_idx" ON "Score"("churnRisk" DESC);

-- CreateIndex
CREATE INDEX "Score_clv_idx" ON "Score"("clv" DESC);

-- CreateIndex
CREATE INDEX "ScoreHistory_customerId_computedAt_idx" ON "ScoreHistory"("customerId", "computedAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "Alert_triggerKey_key" ON "Alert"("triggerKey");

-- CreateIndex
CREATE INDEX "Alert_ownerId_createdAt_idx" ON "Alert"("ownerId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Alert_customerId_createdAt_idx" ON "Alert"("customerId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Alert_status_createdAt_idx" ON "Alert"("status", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "Connector_name_key" ON "Connector"("name");

-- CreateIndex
CREATE INDEX "Connector_pluginId_idx" ON "Connector"("pluginId");

-- CreateIndex
CREATE INDEX "SyncRun_connectorId_queuedAt_idx" ON "SyncRun"("connectorId", "queuedAt" DESC);

-- CreateIndex
CREATE INDEX "SyncRun_status_idx" ON "SyncRun"("status");

-- CreateIndex
CREATE INDEX "DeadLetter_connectorId_createdAt_idx" ON "DeadLetter"("connectorId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "DeadLetter_status_createdAt_idx" ON "DeadLetter"("status", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "Principal_email_key" ON "Principal"("email");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_prefix_key" ON "ApiKey"("prefix");

-- CreateIndex
CREATE INDEX "ApiKey_principalId_idx" ON "ApiKey"("principalId");

-- AddForeignKey
ALTER TABLE "Customer" ADD CONSTRAINT "Customer_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "Principal"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Customer" ADD CONSTRAINT "Customer_mergedIntoId_fkey" FOREIGN KEY ("mergedIntoId") REFERENCES "Customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Identity" ADD CONSTRAINT "Identity_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerMerge" ADD CONSTRAINT "CustomerMerge_survivorId_fkey" FOREIGN KEY ("survivorId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerMerge" ADD CONSTRAINT "CustomerMerge_mergedById_fkey" FOREIGN KEY ("mergedById") REFERENCES "Principal"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Interaction" ADD CONSTRAINT "Interaction_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Feedback" ADD CONSTRAINT "Feedback_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Feedback" ADD CONSTRAINT "Feedback_interactionId_fkey" FOREIGN KEY ("interactionId") REFERENCES "Interaction"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JourneyStage" ADD CONSTRAINT "JourneyStage_journeyId_fkey" FOREIGN KEY ("journeyId") REFERENCES "Journey"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JourneyProgress" ADD CONSTRAINT "JourneyProgress_journeyId_fkey" FOREIGN KEY ("journeyId") REFERENCES "Journey"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JourneyProgress" ADD CONSTRAINT "JourneyProgress_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JourneyProgress" ADD CONSTRAINT "JourneyProgress_currentStageId_fkey" FOREIGN KEY ("currentStageId") REFERENCES "JourneyStage"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JourneyTransition" ADD CONSTRAINT "JourneyTransition_progressId_fkey" FOREIGN KEY ("progressId") REFERENCES "JourneyProgress"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JourneyTransition" ADD CONSTRAINT "JourneyTransition_fromStageId_fkey" FOREIGN KEY ("fromStageId") REFERENCES "JourneyStage"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JourneyTransition" ADD CONSTRAINT "JourneyTransition_toStageId_fkey" FOREIGN KEY ("toStageId") REFERENCES "JourneyStage"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JourneyTransition" ADD CONSTRAINT "JourneyTransition_interactionId_fkey" FOREIGN KEY ("interactionId") REFERENCES "Interaction"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Score" ADD CONSTRAINT "Score_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScoreHistory" ADD CONSTRAINT "ScoreHistory_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "Principal"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_acknowledgedById_fkey" FOREIGN KEY ("acknowledgedById") REFERENCES "Principal"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_resolvedById_fkey" FOREIGN KEY ("resolvedById") REFERENCES "Principal"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncCursor" ADD CONSTRAINT "SyncCursor_connectorId_fkey" FOREIGN KEY ("connectorId") REFERENCES "Connector"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncRun" ADD CONSTRAINT "SyncRun_connectorId_fkey" FOREIGN KEY ("connectorId") REFERENCES "Connector"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeadLetter" ADD CONSTRAINT "DeadLetter_connectorId_fkey" FOREIGN KEY ("connectorId") REFERENCES "Connector"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeadLetter" ADD CONSTRAINT "DeadLetter_syncRunId_fkey" FOREIGN KEY ("syncRunId") REFERENCES "SyncRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_principalId_fkey" FOREIGN KEY ("principalId") REFERENCES "Principal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Rules Prisma's schema language cannot express. The schema engine does not compare check constraints,
-- so the drift test does not see them. Keep them in step with the comments in schema.prisma.

-- A survey answer lies in the range of its measure: NPS 0-10, CSAT 1-5, CES 1-7.
ALTER TABLE "Feedback" ADD CONSTRAINT "Feedback_score_in_range" CHECK (
    ("kind" = 'NPS' AND "score" BETWEEN 0 AND 10)
    OR ("kind" = 'CSAT' AND "score" BETWEEN 1 AND 5)
    OR ("kind" = 'CES' AND "score" BETWEEN 1 AND 7)
);
ALTER TABLE "Feedback" ADD CONSTRAINT "Feedback_sentiment_in_range" CHECK ("sentiment" BETWEEN -1 AND 1);

-- Money comes with its currency, and a sentiment is a signed fraction.
ALTER TABLE "Interaction" ADD CONSTRAINT "Interaction_amount_has_currency" CHECK (("amount" IS NULL) = ("currency" IS NULL));
ALTER TABLE "Interaction" ADD CONSTRAINT "Interaction_sentiment_in_range" CHECK ("sentiment" BETWEEN -1 AND 1);

-- Probabilities are probabilities; health is a percentage.
ALTER TABLE "Score" ADD CONSTRAINT "Score_ranges" CHECK (
    "churnRisk" BETWEEN 0 AND 1
    AND ("probabilityAlive" IS NULL OR "probabilityAlive" BETWEEN 0 AND 1)
    AND ("health" IS NULL OR "health" BETWEEN 0 AND 100)
);
ALTER TABLE "ScoreHistory" ADD CONSTRAINT "ScoreHistory_ranges" CHECK (
    "churnRisk" BETWEEN 0 AND 1
    AND ("probabilityAlive" IS NULL OR "probabilityAlive" BETWEEN 0 AND 1)
    AND ("health" IS NULL OR "health" BETWEEN 0 AND 100)
);

-- A customer is never merged into itself.
ALTER TABLE "Customer" ADD CONSTRAINT "Customer_not_merged_into_itself" CHECK ("mergedIntoId" IS DISTINCT FROM "id");

-- Run counts never go negative.
ALTER TABLE "SyncRun" ADD CONSTRAINT "SyncRun_counts_not_negative" CHECK (
    "recordsFetched" >= 0 AND "recordsCreated" >= 0 AND "recordsUpdated" >= 0
    AND "recordsUnchanged" >= 0 AND "recordsDeadLettered" >= 0
);

-- At most one queued or running sync per connector, enforced by the database so that two server
-- instances cannot start the same connector twice.
CREATE UNIQUE INDEX "SyncRun_one_active_per_connector" ON "SyncRun" ("connectorId") WHERE "status" IN ('QUEUED', 'RUNNING');
