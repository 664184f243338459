-- Value at risk: lifetime value × churn risk, the order of an account manager's at-risk list ("whom to
-- call first"). PostgreSQL computes it from the row itself, so every writer of "clv" or "churnRisk"
-- (the set-based rescoring statement among them) keeps it right without knowing it exists. Null when
-- "clv" is null. Prisma cannot express a generated column: the schema declares a plain nullable
-- DECIMAL(19,4), which is what PostgreSQL reports for it, so the two agree.
ALTER TABLE "Score" ADD COLUMN "valueAtRisk" DECIMAL(19,4)
    GENERATED ALWAYS AS (round("clv" * "churnRisk"::numeric, 4)) STORED;

-- The list walks this index from the top and stops after a page: highest value at risk first, customers
-- without a clv last, then by customer (the list's tie-break). Read backwards it serves the ascending
-- order with nulls first; the list's ascending order (nulls last) sorts, which is the rare direction.
CREATE INDEX "Score_valueAtRisk_customerId_idx" ON "Score" ("valueAtRisk" DESC NULLS LAST, "customerId" DESC);
