-- CreateEnum
CREATE TYPE "AlertResolutionReason" AS ENUM ('RESOLVED_BY_USER', 'RISK_FELL', 'MODEL_CHANGED');

-- AlterTable
ALTER TABLE "Alert" ADD COLUMN     "resolutionReason" "AlertResolutionReason";

-- Every alert resolved before this migration was resolved by a person (resolveAlert).
UPDATE "Alert" SET "resolutionReason" = 'RESOLVED_BY_USER' WHERE "status" = 'RESOLVED';

-- A resolved alert says why, and only a resolved one does (src/alerts/raise-alerts.ts resolves alerts
-- by the hub, src/alerts/work-alerts.ts by a person). Prisma cannot express a check constraint.
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_resolution_reason_check"
  CHECK (("status" = 'RESOLVED') = ("resolutionReason" IS NOT NULL));
