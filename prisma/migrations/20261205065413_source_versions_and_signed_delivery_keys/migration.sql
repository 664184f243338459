-- AlterTable
ALTER TABLE "Feedback" ADD COLUMN     "sourceUpdatedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Interaction" ADD COLUMN     "sourceUpdatedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "SyncRun" ADD COLUMN     "recordsSkippedStale" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "providerDeliveryId" TEXT;
