-- CreateTable
CREATE TABLE "CustomerUnscored" (
    "customerId" UUID NOT NULL,

    CONSTRAINT "CustomerUnscored_pkey" PRIMARY KEY ("customerId")
);

-- AddForeignKey
ALTER TABLE "CustomerUnscored" ADD CONSTRAINT "CustomerUnscored_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Kept by hand-written triggers (Prisma cannot express them), once per statement (transition
-- tables): a new customer has no score yet; a score written takes its customer off; a score deleted
-- while its customer stays puts the customer back (a customer deleted takes its row with it, by the
-- foreign key); emptying "Score" puts every customer back.
CREATE FUNCTION "cxhub_unscored_customer_added"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "CustomerUnscored" ("customerId") SELECT "id" FROM "inserted" ON CONFLICT DO NOTHING;
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
   WHERE EXISTS (SELECT 1 FROM "Customer" c WHERE c."id" = d."customerId")
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "cxhub_unscored_scores_emptied"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "CustomerUnscored" ("customerId") SELECT "id" FROM "Customer" ON CONFLICT DO NOTHING;
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

-- The customers without a score already, once the triggers hold every later change (they lock both
-- tables against writers until this migration commits).
INSERT INTO "CustomerUnscored" ("customerId")
SELECT c."id" FROM "Customer" c WHERE NOT EXISTS (SELECT 1 FROM "Score" s WHERE s."customerId" = c."id");
