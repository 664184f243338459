-- AlterTable
ALTER TABLE "Alert" ADD COLUMN     "publishedAt" TIMESTAMPTZ(3),
ADD COLUMN     "streamPosition" BIGINT;

-- CreateTable
CREATE TABLE "CustomerAlertState" (
    "customerId" UUID NOT NULL,
    "alertedLevel" "ChurnRiskLevel",
    "alertCount" INTEGER NOT NULL DEFAULT 0,
    "lastHighAlertAt" TIMESTAMPTZ(3),
    "lastCriticalAlertAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CustomerAlertState_pkey" PRIMARY KEY ("customerId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Alert_streamPosition_key" ON "Alert"("streamPosition");

-- AddForeignKey
ALTER TABLE "CustomerAlertState" ADD CONSTRAINT "CustomerAlertState_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Stream positions are handed out when alerts are published, in publish order (src/alerts/dispatch-alerts.ts).
-- A plain sequence, not a column default: a position exists only once an alert is published.
CREATE SEQUENCE "AlertStreamPosition" AS bigint;

-- The outbox: dispatchers look for alerts not yet published. Almost every alert is published within
-- moments, so this index stays tiny. Prisma cannot express a partial index, so it is written here.
CREATE INDEX "Alert_unpublished_idx" ON "Alert" ("id") WHERE "publishedAt" IS NULL;

-- Alerts raised before this migration were never meant to be published live.
UPDATE "Alert" SET "publishedAt" = "createdAt";
