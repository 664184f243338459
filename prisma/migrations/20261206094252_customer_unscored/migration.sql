-- CreateTable
CREATE TABLE "CustomerUnscored" (
    "customerId" UUID NOT NULL,

    CONSTRAINT "CustomerUnscored_pkey" PRIMARY KEY ("customerId")
);

-- AddForeignKey
ALTER TABLE "CustomerUnscored" ADD CONSTRAINT "CustomerUnscored_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Live customers only (a merged-away customer loses its score and must not pile up here). Kept by
-- hand-written triggers (Prisma cannot express them), once per statement (transition tables) but for
-- merges: a new customer has no score yet; a score written takes its customer off; a score deleted
-- while its customer stays live puts the customer back (a customer deleted takes its row with it, by
-- the foreign key); emptying "Score" puts every live customer back; a merge takes the merged customer
-- off, and an unmerge puts it back if it has no score.
CREATE FUNCTION "cxhub_unscored_customer_added"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "CustomerUnscored" ("customerId")
  SELECT "id" FROM "inserted" WHERE "mergedIntoId" IS NULL ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "cxhub_unscored_score_added"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "CustomerUnscored" u USING "inserted" i WHERE u."customerId" = i."customerId";
  RETURN NULL;
END;
$$;

CREATE FUNCTION "cxhub_unscored_score_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "CustomerUnscored" ("customerId")
  SELECT d."customerId" FROM "deleted" d
   WHERE EXISTS (SELECT 1 FROM "Customer" c WHERE c."id" = d."customerId" AND c."mergedIntoId" IS NULL)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "cxhub_unscored_scores_emptied"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "CustomerUnscored" ("customerId")
  SELECT "id" FROM "Customer" WHERE "mergedIntoId" IS NULL ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "cxhub_unscored_customer_merged"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."mergedIntoId" IS NOT NULL THEN
    DELETE FROM "CustomerUnscored" WHERE "customerId" = NEW."id";
  ELSIF NOT EXISTS (SELECT 1 FROM "Score" s WHERE s."customerId" = NEW."id") THEN
    INSERT INTO "CustomerUnscored" ("customerId") VALUES (NEW."id") ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Customer_unscored_insert"
  AFTER INSERT ON "Customer" REFERENCING NEW TABLE AS "inserted"
  FOR EACH STATEMENT EXECUTE FUNCTION "cxhub_unscored_customer_added"();

CREATE TRIGGER "Score_unscored_insert"
  AFTER INSERT ON "Score" REFERENCING NEW TABLE AS "inserted"
  FOR EACH STATEMENT EXECUTE FUNCTION "cxhub_unscored_score_added"();

CREATE TRIGGER "Score_unscored_delete"
  AFTER DELETE ON "Score" REFERENCING OLD TABLE AS "deleted"
  FOR EACH STATEMENT EXECUTE FUNCTION "cxhub_unscored_score_deleted"();

CREATE TRIGGER "Score_unscored_truncate"
  AFTER TRUNCATE ON "Score"
  FOR EACH STATEMENT EXECUTE FUNCTION "cxhub_unscored_scores_emptied"();

CREATE TRIGGER "Customer_unscored_merge"
  AFTER UPDATE OF "mergedIntoId" ON "Customer"
  FOR EACH ROW WHEN ((OLD."mergedIntoId" IS NULL) <> (NEW."mergedIntoId" IS NULL))
  EXECUTE FUNCTION "cxhub_unscored_customer_merged"();

-- The live customers without a score already, once the triggers hold every later change (they lock both
-- tables against writers until this migration commits).
INSERT INTO "CustomerUnscored" ("customerId")
SELECT c."id" FROM "Customer" c
 WHERE c."mergedIntoId" IS NULL AND NOT EXISTS (SELECT 1 FROM "Score" s WHERE s."customerId" = c."id");
