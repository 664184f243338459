-- AlterTable
ALTER TABLE "SyncRun" ADD COLUMN     "identitiesDropped" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "warnings" JSONB NOT NULL DEFAULT '[]';
