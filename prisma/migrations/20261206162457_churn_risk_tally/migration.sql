-- CreateTable
CREATE TABLE "ChurnRiskTally" (
    "ownerKey" UUID NOT NULL,
    "level" "ChurnRiskLevel" NOT NULL,
    "slot" SMALLINT NOT NULL,
    "customers" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "ChurnRiskTally_pkey" PRIMARY KEY ("ownerKey","level","slot")
);

-- Kept by hand-written triggers (Prisma cannot express them). A customer counts at (its owner, its
-- score's level) while it is live and scored. The score's level and the customer's owner live in two
-- tables that two transactions can change at once, and in READ COMMITTED each would read the other's
-- row as it was before. So:
--   * a statement that adds, changes the level of or deletes scores locks their live customers
--     FOR SHARE (in id order) before reading their owners, after its own score rows are written: it
--     waits for an owner change or a merge in flight and then reads the owner that change committed;
--   * an owner change or a merge (which holds its customer's row) reads the score as committed: a
--     score change still in flight will lock the customer after it, so it counts from the new owner.
-- Either way each transition is counted once, from the state it started from. Scores are written in
-- statements of many rows (rescoring), so those triggers count a statement once (transition tables);
-- owner changes and merges are row by row, and only when the owner or the liveness changes.
CREATE FUNCTION "cxhub_churn_risk_tally_add"(owner_id UUID, risk_level "ChurnRiskLevel", delta BIGINT)
RETURNS VOID LANGUAGE sql AS $$
  INSERT INTO "ChurnRiskTally" ("ownerKey", "level", "slot", "customers")
  VALUES (COALESCE(owner_id, '00000000-0000-0000-0000-000000000000'), risk_level,
          (pg_backend_pid() % 64)::smallint, delta)
  ON CONFLICT ("ownerKey", "level", "slot")
  DO UPDATE SET "customers" = "ChurnRiskTally"."customers" + EXCLUDED."customers"
$$;

-- Adds each (customer, level, delta) of a score statement to the tally: the customers that are live
-- now, locked FOR SHARE in id order, by their owner.
CREATE FUNCTION "cxhub_churn_risk_tally_apply"(customer_ids UUID[], levels "ChurnRiskLevel"[], deltas BIGINT[])
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(customer_ids) IS NULL OR cardinality(customer_ids) = 0 THEN RETURN; END IF;
  WITH changed AS (
    SELECT * FROM unnest(customer_ids, levels, deltas) AS x("customerId", level, delta)
  ),
  owners AS (
    SELECT c."id", c."ownerId" FROM "Customer" c
    WHERE c."id" = ANY(customer_ids) AND c."mergedIntoId" IS NULL
    ORDER BY c."id" FOR SHARE
  )
  INSERT INTO "ChurnRiskTally" ("ownerKey", "level", "slot", "customers")
  SELECT COALESCE(o."ownerId", '00000000-0000-0000-0000-000000000000'), ch.level,
         (pg_backend_pid() % 64)::smallint, sum(ch.delta)
  FROM changed ch JOIN owners o ON o."id" = ch."customerId"
  GROUP BY 1, 2 HAVING sum(ch.delta) <> 0
  ORDER BY 1, 2
  ON CONFLICT ("ownerKey", "level", "slot")
  DO UPDATE SET "customers" = "ChurnRiskTally"."customers" + EXCLUDED."customers";
END;
$$;

-- Scores added (delta 1) or deleted (delta -1, the trigger's argument), in the transition table
-- "scores". A score deleted with its customer (the foreign key's cascade) finds no live customer
-- there: the customer's own trigger below took it off before the row went.
CREATE FUNCTION "cxhub_churn_risk_tally_scores_counted"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids UUID[]; levels "ChurnRiskLevel"[];
BEGIN
  SELECT array_agg("customerId"), array_agg("churnRiskLevel") INTO ids, levels FROM "scores";
  PERFORM "cxhub_churn_risk_tally_apply"(
    ids, levels, array_fill(TG_ARGV[0]::bigint, ARRAY[COALESCE(cardinality(ids), 0)]));
  RETURN NULL;
END;
$$;

-- A level that changed moves its customer from the old level to the new one: -1 and +1.
CREATE FUNCTION "cxhub_churn_risk_tally_scores_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids UUID[]; levels "ChurnRiskLevel"[]; deltas BIGINT[];
BEGIN
  SELECT array_agg(v.id), array_agg(v.level), array_agg(v.delta) INTO ids, levels, deltas
  FROM "before_update" b JOIN "after_update" a USING ("customerId"),
       LATERAL (VALUES (b."customerId", b."churnRiskLevel", -1::bigint),
                       (a."customerId", a."churnRiskLevel", 1::bigint)) AS v(id, level, delta)
  WHERE b."churnRiskLevel" <> a."churnRiskLevel";
  PERFORM "cxhub_churn_risk_tally_apply"(ids, levels, deltas);
  RETURN NULL;
END;
$$;

CREATE FUNCTION "cxhub_churn_risk_tally_emptied"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "ChurnRiskTally";
  RETURN NULL;
END;
$$;

CREATE FUNCTION "cxhub_churn_risk_tally_customer_moved"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE risk_level "ChurnRiskLevel";
BEGIN
  SELECT s."churnRiskLevel" INTO risk_level FROM "Score" s WHERE s."customerId" = NEW."id";
  IF risk_level IS NULL THEN RETURN NULL; END IF;
  IF OLD."mergedIntoId" IS NULL THEN PERFORM "cxhub_churn_risk_tally_add"(OLD."ownerId", risk_level, -1); END IF;
  IF NEW."mergedIntoId" IS NULL THEN PERFORM "cxhub_churn_risk_tally_add"(NEW."ownerId", risk_level, 1); END IF;
  RETURN NULL;
END;
$$;

-- BEFORE the delete, while the score is still there (the cascade deletes it after the row).
CREATE FUNCTION "cxhub_churn_risk_tally_customer_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE risk_level "ChurnRiskLevel";
BEGIN
  IF OLD."mergedIntoId" IS NULL THEN
    SELECT s."churnRiskLevel" INTO risk_level FROM "Score" s WHERE s."customerId" = OLD."id";
    IF risk_level IS NOT NULL THEN PERFORM "cxhub_churn_risk_tally_add"(OLD."ownerId", risk_level, -1); END IF;
  END IF;
  RETURN OLD;
END;
$$;

CREATE TRIGGER "Score_churn_risk_tally_insert"
  AFTER INSERT ON "Score" REFERENCING NEW TABLE AS "scores"
  FOR EACH STATEMENT EXECUTE FUNCTION "cxhub_churn_risk_tally_scores_counted"('1');

CREATE TRIGGER "Score_churn_risk_tally_update"
  AFTER UPDATE ON "Score" REFERENCING OLD TABLE AS "before_update" NEW TABLE AS "after_update"
  FOR EACH STATEMENT EXECUTE FUNCTION "cxhub_churn_risk_tally_scores_updated"();

CREATE TRIGGER "Score_churn_risk_tally_delete"
  AFTER DELETE ON "Score" REFERENCING OLD TABLE AS "scores"
  FOR EACH STATEMENT EXECUTE FUNCTION "cxhub_churn_risk_tally_scores_counted"('-1');

CREATE TRIGGER "Score_churn_risk_tally_truncate"
  AFTER TRUNCATE ON "Score"
  FOR EACH STATEMENT EXECUTE FUNCTION "cxhub_churn_risk_tally_emptied"();

CREATE TRIGGER "Customer_churn_risk_tally_move"
  AFTER UPDATE OF "ownerId", "mergedIntoId" ON "Customer"
  FOR EACH ROW WHEN (OLD."ownerId" IS DISTINCT FROM NEW."ownerId"
                     OR (OLD."mergedIntoId" IS NULL) <> (NEW."mergedIntoId" IS NULL))
  EXECUTE FUNCTION "cxhub_churn_risk_tally_customer_moved"();

CREATE TRIGGER "Customer_churn_risk_tally_delete"
  BEFORE DELETE ON "Customer"
  FOR EACH ROW EXECUTE FUNCTION "cxhub_churn_risk_tally_customer_deleted"();

CREATE TRIGGER "Customer_churn_risk_tally_truncate"
  AFTER TRUNCATE ON "Customer"
  FOR EACH STATEMENT EXECUTE FUNCTION "cxhub_churn_risk_tally_emptied"();

-- The scores already there, counted once the triggers hold every later change (they lock "Score"
-- and "Customer" against writers until this migration commits).
INSERT INTO "ChurnRiskTally" ("ownerKey", "level", "slot", "customers")
SELECT COALESCE(c."ownerId", '00000000-0000-0000-0000-000000000000'), s."churnRiskLevel", 0, count(*)
FROM "Score" s JOIN "Customer" c ON c."id" = s."customerId"
WHERE c."mergedIntoId" IS NULL
GROUP BY 1, 2;
