-- AlterEnum
ALTER TYPE "SyncTrigger" ADD VALUE 'WEBHOOK';

-- AlterTable
ALTER TABLE "Connector" ADD COLUMN     "syncRequestReason" TEXT,
ADD COLUMN     "syncRequested" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "syncRequestedAt" TIMESTAMPTZ(3);
