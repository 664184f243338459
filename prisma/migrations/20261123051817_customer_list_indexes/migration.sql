-- DropIndex
DROP INDEX "Customer_lastSeenAt_idx";

-- DropIndex
DROP INDEX "Customer_ownerId_lastSeenAt_idx";

-- The customer list sorts live customers (not merged away) by "lastSeenAt" DESC NULLS LAST, then id,
-- so that never-seen customers come last. The indexes above kept NULLs first, which PostgreSQL cannot
-- use for that order: every page sorted every customer. These serve the list in index order, overall
-- and per owner (an account manager's book), and hold only live customers, as the list does.
-- Prisma cannot express NULLS LAST or a partial index, so they are written here; the schema says so.
CREATE INDEX "Customer_live_lastSeenAt_idx" ON "Customer" ("lastSeenAt" DESC NULLS LAST, "id" DESC) WHERE "mergedIntoId" IS NULL;
CREATE INDEX "Customer_live_ownerId_lastSeenAt_idx" ON "Customer" ("ownerId", "lastSeenAt" DESC NULLS LAST, "id" DESC) WHERE "mergedIntoId" IS NULL;
