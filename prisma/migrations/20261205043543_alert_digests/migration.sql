-- AlterTable
ALTER TABLE "Alert" ADD COLUMN     "digestId" UUID,
ADD COLUMN     "raisedInTransaction" BIGINT;

-- CreateTable
CREATE TABLE "AlertDigest" (
    "id" UUID NOT NULL,
    "ownerId" UUID,
    "alertCount" INTEGER NOT NULL,
    "highCount" INTEGER NOT NULL,
    "criticalCount" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "publishedAt" TIMESTAMPTZ(3),
    "streamPosition" BIGINT,

    CONSTRAINT "AlertDigest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AlertDigest_streamPosition_key" ON "AlertDigest"("streamPosition");

-- CreateIndex
CREATE INDEX "AlertDigest_ownerId_createdAt_idx" ON "AlertDigest"("ownerId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Alert_digestId_idx" ON "Alert"("digestId");

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_digestId_fkey" FOREIGN KEY ("digestId") REFERENCES "AlertDigest"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertDigest" ADD CONSTRAINT "AlertDigest_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "Principal"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The outbox for digests, as for alerts (20261203064837_alert_stream): dispatchers look for digests
-- not yet published, and almost every one is published within moments. Prisma cannot express it.
CREATE INDEX "AlertDigest_unpublished_idx" ON "AlertDigest" ("id") WHERE "publishedAt" IS NULL;
