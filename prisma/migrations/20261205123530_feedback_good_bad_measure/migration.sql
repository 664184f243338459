-- AlterEnum
ALTER TYPE "FeedbackKind" ADD VALUE 'GOOD_BAD';

-- A good/bad rating is 1 (good) or 0 (bad). The kind is compared as text: PostgreSQL refuses to use an
-- enum value added in the same transaction ("unsafe use of new value"), and a text comparison does not.
ALTER TABLE "Feedback" DROP CONSTRAINT "Feedback_score_in_range";
ALTER TABLE "Feedback" ADD CONSTRAINT "Feedback_score_in_range" CHECK (
    ("kind"::text = 'NPS' AND "score" BETWEEN 0 AND 10)
    OR ("kind"::text = 'CSAT' AND "score" BETWEEN 1 AND 5)
    OR ("kind"::text = 'CES' AND "score" BETWEEN 1 AND 7)
    OR ("kind"::text = 'GOOD_BAD' AND "score" BETWEEN 0 AND 1)
);
