-- Scheduled rescoring cuts the live customers into slices of (owner, id) ranges (src/jobs), so that an
-- owner's customers fall in few slices; customers without an owner sort first, under the nil uuid.
-- Each slice reads its customers by that key: this index serves the range, live customers only.
-- Prisma cannot express an expression or a partial index, so it is written here; the schema says so.
CREATE INDEX "Customer_live_slice_key_idx" ON "Customer" ((COALESCE("ownerId", '00000000-0000-0000-0000-000000000000'::uuid)), "id") WHERE "mergedIntoId" IS NULL;
