-- CreateTable
CREATE TABLE "ChurnRiskTally" (
    "ownerKey" UUID NOT NULL,
    "level" "ChurnRiskLevel" NOT NULL,
    "slot" SMALLINT NOT NULL,
    "customers" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "ChurnRiskTally_pkey" PRIMARY KEY ("ownerKey","level","slot")
);

-- Kept by hand-written triggers (Prisma cannot express them). A customer counts at (its owner, its
-- score's level) while it is live and scored. The level and the owner live in two tables that two
-- transactions can change at once, and in READ COMMITTED each would read the other's row as it was
-- before. The waiting is put on the rare side, owner changes and merges, so that rescoring (which
-- writes thousands of scores at once) takes no lock of its own:
--   * a score added holds its customer FOR KEY SHARE until it commits (its foreign key's check); a
--     score changed or deleted holds its own row. Their triggers read the customer's owner as
--     committed, without a lock;
--   * an owner change or a merge locks its customer FOR UPDATE (which waits for a score added in
--     flight) and the score FOR SHARE (which waits for one changed or deleted in flight), then reads
--     the score as committed; a score write that comes after it waits for it and reads the new owner.
-- Either way each transition is counted once, from the state it started from. An owner change's
-- FOR UPDATE also waits for anything else added for that customer in flight (an alert, a score's
-- history): owner changes are rare, rescoring is not. Writers add to the slot of their backend, 256
-- of them, so that two connections seldom share one and wait on each other's transaction (CustomerTally's
-- 64 are written far less often); a deadlock that two sharing one can still meet is redone by the
-- unit of work and by the job engine. Scores added or
-- deleted are counted once per statement (transition tables); level changes, owner changes and
-- merges row by row, and only the rows that moved.
CREATE FUNCTION "cxhub_churn_risk_tally_add"(owner_id UUID, risk_level "ChurnRiskLevel", delta BIGINT)
RETURNS VOID LANGUAGE sql AS $$
  INSERT INTO "ChurnRiskTally" ("ownerKey", "level", "slot", "customers")
  VALUES (COALESCE(owner_id, '00000000-0000-0000-0000-000000000000'), risk_level,
          (pg_backend_pid() % 256)::smallint, delta)
  ON CONFLICT ("ownerKey", "level", "slot")
  DO UPDATE SET "customers" = "ChurnRiskTally"."customers" + EXCLUDED."customers"
$$;

-- Scores added (the trigger's argument 1) or deleted (-1), in the transition table "scores", counted
-- at their live customers' owners. A score deleted with its customer (the foreign key's cascade)
-- finds no customer here: the customer's own trigger below took it off before the row went.
CREATE FUNCTION "cxhub_churn_risk_tally_scores_counted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "ChurnRiskTally" ("ownerKey", "level", "slot", "customers")
  SELECT COALESCE(c."ownerId", '00000000-0000-0000-0000-000000000000'), s."churnRiskLevel",
         (pg_backend_pid() % 256)::smallint, count(*) * TG_ARGV[0]::bigint
  FROM "scores" s JOIN "Customer" c ON c."id" = s."customerId"
  WHERE c."mergedIntoId" IS NULL
  GROUP BY 1, 2
  ORDER BY 1, 2
  ON CONFLICT ("ownerKey", "level", "slot")
  DO UPDATE SET "customers" = "ChurnRiskTally"."customers" + EXCLUDED."customers";
  RETURN NULL;
END;
$$;

-- A level that changed moves its customer from the old level to the new one. Row by row, for the
-- rows whose level changed only (the trigger's WHEN): a rescoring rewrites thousands of scores and
-- moves few levels, and a statement trigger's transition tables cost it 10-25% more (EXPLAIN ANALYZE
-- of an UPDATE of 23,570 scores).
CREATE FUNCTION "cxhub_churn_risk_tally_level_moved"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE owner_id UUID;
BEGIN
  SELECT c."ownerId" INTO owner_id FROM "Customer" c WHERE c."id" = NEW."customerId" AND c."mergedIntoId" IS NULL;
  IF NOT FOUND THEN RETURN NULL; END IF;
  -- The two slots in the levels' order, so that two moves in opposite directions never wait on each other.
  IF OLD."churnRiskLevel" < NEW."churnRiskLevel" THEN
    PERFORM "cxhub_churn_risk_tally_add"(owner_id, OLD."churnRiskLevel", -1);
    PERFORM "cxhub_churn_risk_tally_add"(owner_id, NEW."churnRiskLevel", 1);
  ELSE
    PERFORM "cxhub_churn_risk_tally_add"(owner_id, NEW."churnRiskLevel", 1);
    PERFORM "cxhub_churn_risk_tally_add"(owner_id, OLD."churnRiskLevel", -1);
  END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "cxhub_churn_risk_tally_emptied"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "ChurnRiskTally";
  RETURN NULL;
END;
$$;

-- The customer's score as committed, once no write to it is in flight: a score added holds the
-- customer FOR KEY SHARE (the foreign key's check), which FOR UPDATE waits for; a score changed or
-- deleted holds its row, which FOR SHARE waits for.
CREATE FUNCTION "cxhub_churn_risk_tally_settled_level"(customer_id UUID) RETURNS "ChurnRiskLevel"
LANGUAGE plpgsql AS $$
DECLARE risk_level "ChurnRiskLevel";
BEGIN
  PERFORM 1 FROM "Customer" c WHERE c."id" = customer_id FOR UPDATE;
  SELECT s."churnRiskLevel" INTO risk_level FROM "Score" s WHERE s."customerId" = customer_id FOR SHARE;
  RETURN risk_level;
END;
$$;

-- A customer merged away before and after counts nowhere either way, and takes no lock.
CREATE FUNCTION "cxhub_churn_risk_tally_customer_moved"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  risk_level "ChurnRiskLevel";
  was_counted BOOLEAN := OLD."mergedIntoId" IS NULL;
  is_counted BOOLEAN := NEW."mergedIntoId" IS NULL;
BEGIN
  IF NOT (was_counted OR is_counted) THEN RETURN NULL; END IF;
  risk_level := "cxhub_churn_risk_tally_settled_level"(NEW."id");
  IF risk_level IS NULL THEN RETURN NULL; END IF;
  -- The two owners' slots in the owners' order, so that two moves in opposite directions never wait
  -- on each other.
  IF COALESCE(OLD."ownerId"::text, '') < COALESCE(NEW."ownerId"::text, '') THEN
    IF was_counted THEN PERFORM "cxhub_churn_risk_tally_add"(OLD."ownerId", risk_level, -1); END IF;
    IF is_counted THEN PERFORM "cxhub_churn_risk_tally_add"(NEW."ownerId", risk_level, 1); END IF;
  ELSE
    IF is_counted THEN PERFORM "cxhub_churn_risk_tally_add"(NEW."ownerId", risk_level, 1); END IF;
    IF was_counted THEN PERFORM "cxhub_churn_risk_tally_add"(OLD."ownerId", risk_level, -1); END IF;
  END IF;
  RETURN NULL;
END;
$$;

-- A score belongs to its customer for good: moved to another, it would leave both owners' counts
-- wrong, and nothing in the hub moves one (a merge deletes the merged customer's score).
CREATE FUNCTION "cxhub_score_customer_fixed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'A score cannot move to another customer (from % to %): delete it and write the new customer''s score instead.',
    OLD."customerId", NEW."customerId" USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

-- BEFORE the delete, while the score is still there (the cascade deletes it after the row).
CREATE FUNCTION "cxhub_churn_risk_tally_customer_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE risk_level "ChurnRiskLevel";
BEGIN
  IF OLD."mergedIntoId" IS NULL THEN
    risk_level := "cxhub_churn_risk_tally_settled_level"(OLD."id");
    IF risk_level IS NOT NULL THEN PERFORM "cxhub_churn_risk_tally_add"(OLD."ownerId", risk_level, -1); END IF;
  END IF;
  RETURN OLD;
END;
$$;

CREATE TRIGGER "Score_churn_risk_tally_insert"
  AFTER INSERT ON "Score" REFERENCING NEW TABLE AS "scores"
  FOR EACH STATEMENT EXECUTE FUNCTION "cxhub_churn_risk_tally_scores_counted"('1');

CREATE TRIGGER "Score_churn_risk_tally_update"
  AFTER UPDATE OF "churnRiskLevel" ON "Score"
  FOR EACH ROW WHEN (OLD."churnRiskLevel" <> NEW."churnRiskLevel")
  EXECUTE FUNCTION "cxhub_churn_risk_tally_level_moved"();

CREATE TRIGGER "Score_churn_risk_tally_delete"
  AFTER DELETE ON "Score" REFERENCING OLD TABLE AS "scores"
  FOR EACH STATEMENT EXECUTE FUNCTION "cxhub_churn_risk_tally_scores_counted"('-1');

CREATE TRIGGER "Score_customer_fixed"
  BEFORE UPDATE OF "customerId" ON "Score"
  FOR EACH ROW WHEN (OLD."customerId" <> NEW."customerId")
  EXECUTE FUNCTION "cxhub_score_customer_fixed"();

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
