-- AlterTable
ALTER TABLE "ScoreModel" ADD COLUMN     "backtest" JSONB,
ADD COLUMN     "churnModel" JSONB,
ADD COLUMN     "description" TEXT NOT NULL DEFAULT '';
