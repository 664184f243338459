-- CreateTable
CREATE TABLE "CustomerTally" (
    "slot" SMALLINT NOT NULL,
    "live" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "CustomerTally_pkey" PRIMARY KEY ("slot")
);

-- Kept by hand-written triggers (Prisma cannot express them). Each writer adds to the slot of its
-- backend (64 slots): two transactions inserting customers at once then seldom wait on one row, and
-- when they do, the write pipeline redoes a transaction that deadlocked (unit-of-work.ts). Inserts and
-- deletes count a statement's rows once (transition tables); a merge or an unmerge moves a customer
-- in or out of the live count row by row, only when "mergedIntoId" changes between null and not.
CREATE FUNCTION "cxhub_customer_tally_add"(delta BIGINT) RETURNS VOID LANGUAGE sql AS $$
  INSERT INTO "CustomerTally" ("slot", "live") VALUES ((pg_backend_pid() % 64)::smallint, delta)
  ON CONFLICT ("slot") DO UPDATE SET "live" = "CustomerTally"."live" + EXCLUDED."live"
$$;

CREATE FUNCTION "cxhub_customer_tally_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE delta BIGINT;
BEGIN
  SELECT count(*) INTO delta FROM "inserted" WHERE "mergedIntoId" IS NULL;
  IF delta <> 0 THEN PERFORM "cxhub_customer_tally_add"(delta); END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "cxhub_customer_tally_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE delta BIGINT;
BEGIN
  SELECT count(*) INTO delta FROM "deleted" WHERE "mergedIntoId" IS NULL;
  IF delta <> 0 THEN PERFORM "cxhub_customer_tally_add"(-delta); END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "cxhub_customer_tally_merged"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "cxhub_customer_tally_add"(CASE WHEN NEW."mergedIntoId" IS NULL THEN 1 ELSE -1 END);
  RETURN NULL;
END;
$$;

CREATE FUNCTION "cxhub_customer_tally_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "CustomerTally";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Customer_tally_insert"
  AFTER INSERT ON "Customer" REFERENCING NEW TABLE AS "inserted"
  FOR EACH STATEMENT EXECUTE FUNCTION "cxhub_customer_tally_inserted"();

CREATE TRIGGER "Customer_tally_delete"
  AFTER DELETE ON "Customer" REFERENCING OLD TABLE AS "deleted"
  FOR EACH STATEMENT EXECUTE FUNCTION "cxhub_customer_tally_deleted"();

CREATE TRIGGER "Customer_tally_merge"
  AFTER UPDATE OF "mergedIntoId" ON "Customer"
  FOR EACH ROW WHEN ((OLD."mergedIntoId" IS NULL) <> (NEW."mergedIntoId" IS NULL))
  EXECUTE FUNCTION "cxhub_customer_tally_merged"();

CREATE TRIGGER "Customer_tally_truncate"
  AFTER TRUNCATE ON "Customer"
  FOR EACH STATEMENT EXECUTE FUNCTION "cxhub_customer_tally_truncated"();

-- The customers already there, counted once the triggers hold every later change (they lock
-- "Customer" against writers until this migration commits).
INSERT INTO "CustomerTally" ("slot", "live")
SELECT 0, count(*) FROM "Customer" WHERE "mergedIntoId" IS NULL;
