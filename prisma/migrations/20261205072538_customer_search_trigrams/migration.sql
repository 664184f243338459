-- The customer search matches text anywhere in a display name or an identity value (`contains`, that
-- is LIKE '%…%'): a B-tree cannot serve that, so every search read every row. Trigram GIN indexes
-- serve LIKE and ILIKE with a pattern of three or more characters.
-- pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it without being a
-- superuser. The embedded PGlite loads it from @electric-sql/pglite/contrib (src/db/pglite-extensions.ts).
-- Prisma (without its postgresqlExtensions preview) neither creates nor drops extensions: it is here.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateIndex
CREATE INDEX "Customer_displayName_trgm_idx" ON "Customer" USING GIN ("displayName" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Identity_value_trgm_idx" ON "Identity" USING GIN ("value" gin_trgm_ops);
