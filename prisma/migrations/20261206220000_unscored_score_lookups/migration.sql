-- Scores added or deleted move their customers out of or into CustomerUnscored by looking each row up
-- by its key. Joined as a whole, the statements' plans (made once per connection by plpgsql, on
-- whatever statistics there were) hashed the whole table for each statement: the DELETE read every
-- unscored customer (23,570 rows hashed for each batch of 2,000 scores in the drain after the CDNOW
-- sync, 33 of the trigger's 45 ms, auto_explain), and the check that a deleted score's customer is
-- live could hash every live customer through an index on live customers. Their cost grew with the
-- hub, not with the scores. OFFSET 0 keeps each lookup a probe of the primary key (see
-- 20261206193600_churn_risk_tally_score_lookups).
CREATE OR REPLACE FUNCTION "cxhub_unscored_score_added"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "CustomerUnscored" u
   WHERE u."customerId" IN (
     SELECT x."customerId" FROM "inserted" i
     CROSS JOIN LATERAL (
       SELECT v."customerId" FROM "CustomerUnscored" v WHERE v."customerId" = i."customerId" OFFSET 0
     ) x
   );
  RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION "cxhub_unscored_score_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "CustomerUnscored" ("customerId")
  SELECT d."customerId" FROM "deleted" d
  CROSS JOIN LATERAL (
    SELECT c."mergedIntoId" FROM "Customer" c WHERE c."id" = d."customerId" OFFSET 0
  ) c
  WHERE c."mergedIntoId" IS NULL
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
