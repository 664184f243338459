-- Scores added or deleted are counted at their customers' owners by looking each score's customer up
-- by its key. Joined as a whole, the statement's plan (never re-planned for the batch: plpgsql keeps
-- it) hashed every live customer of the hub for each statement, read through an index on live
-- customers: 23,570 customers for each batch of 2,000 scores in the drain after the CDNOW sync,
-- 28 ms of its 45 ms (auto_explain), and a cost that grew with the hub, not with the scores. OFFSET 0
-- keeps "mergedIntoId" IS NULL out of the lookup, so that only the primary key can serve it (a
-- partial index on live customers whose id is not its first column would be read whole per score).
CREATE OR REPLACE FUNCTION "cxhub_churn_risk_tally_scores_counted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "ChurnRiskTally" ("ownerKey", "level", "slot", "customers")
  SELECT COALESCE(c."ownerId", '00000000-0000-0000-0000-000000000000'), s."churnRiskLevel",
         (pg_backend_pid() % 256)::smallint, count(*) * TG_ARGV[0]::bigint
  FROM "scores" s
  CROSS JOIN LATERAL (
    SELECT x."ownerId", x."mergedIntoId" FROM "Customer" x WHERE x."id" = s."customerId" OFFSET 0
  ) c
  WHERE c."mergedIntoId" IS NULL
  GROUP BY 1, 2
  ORDER BY 1, 2
  ON CONFLICT ("ownerKey", "level", "slot")
  DO UPDATE SET "customers" = "ChurnRiskTally"."customers" + EXCLUDED."customers";
  RETURN NULL;
END;
$$;
