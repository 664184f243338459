-- Every order of the customer list reads its page from an index and stops after it (issue 15): the
-- page's customer IDs first, by keyset, then those customers with what the request selects. An order
-- no index serves made PostgreSQL join every customer's identities and interactions before sorting
-- (about 2 s a page on 23,570 customers). The list holds live customers only, so the indexes on
-- customer columns are partial, as the list's last-seen indexes are; Prisma cannot express a partial
-- index or NULLS LAST, so they are written here and the schema says so. Ties are broken by ID in the
-- list's direction, so the ID is the index's last column. Each is read forward for DESC and backward
-- for ASC; a nullable column's NULLs sit at the end, read as their own range by ID.
DROP INDEX "Customer_createdAt_idx";
DROP INDEX "Customer_displayName_idx";
CREATE INDEX "Customer_live_createdAt_idx" ON "Customer" ("createdAt" DESC, "id" DESC) WHERE "mergedIntoId" IS NULL;
CREATE INDEX "Customer_live_displayName_idx" ON "Customer" ("displayName" DESC NULLS LAST, "id" DESC) WHERE "mergedIntoId" IS NULL;

-- Scores are one per customer (merged-away customers' rows are filtered by the join); their orders
-- end with the customer, as the value-at-risk index does.
DROP INDEX "Score_churnRisk_idx";
DROP INDEX "Score_clv_idx";
CREATE INDEX "Score_churnRisk_customerId_idx" ON "Score" ("churnRisk" DESC, "customerId" DESC);
CREATE INDEX "Score_clv_customerId_idx" ON "Score" ("clv" DESC NULLS LAST, "customerId" DESC);
