-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "profileVersions" JSONB NOT NULL DEFAULT '{}';
