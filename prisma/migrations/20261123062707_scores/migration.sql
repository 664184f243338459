-- AlterTable
ALTER TABLE "Score" ADD COLUMN     "averageRepeatSpend" DECIMAL(19,4),
ADD COLUMN     "firstPurchaseOn" DATE,
ADD COLUMN     "forecastMonths" INTEGER,
ADD COLUMN     "lastPurchaseOn" DATE,
ADD COLUMN     "modelId" UUID,
ADD COLUMN     "repeatTransactions" INTEGER;

-- CreateTable
CREATE TABLE "ScoreModel" (
    "id" UUID NOT NULL,
    "version" TEXT NOT NULL,
    "calibrationEnd" TIMESTAMPTZ(3) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "customersFitted" INTEGER NOT NULL,
    "repeatCustomersFitted" INTEGER NOT NULL,
    "bgNbd" JSONB NOT NULL,
    "bgNbdLogLikelihood" DOUBLE PRECISION NOT NULL,
    "bgNbdConverged" BOOLEAN NOT NULL,
    "gammaGamma" JSONB,
    "gammaGammaLogLikelihood" DOUBLE PRECISION,
    "fitMilliseconds" INTEGER NOT NULL,
    "fittedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ScoreModel_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ScoreModel_version_key" ON "ScoreModel"("version");

-- CreateIndex
CREATE INDEX "ScoreModel_fittedAt_idx" ON "ScoreModel"("fittedAt" DESC);

-- AddForeignKey
ALTER TABLE "Score" ADD CONSTRAINT "Score_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "ScoreModel"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Checks Prisma cannot express: a purchase history that can exist, and a model fitted on customers.
ALTER TABLE "Score" ADD CONSTRAINT "Score_purchase_history" CHECK (
    ("repeatTransactions" IS NULL OR "repeatTransactions" >= 0)
    AND ("averageRepeatSpend" IS NULL OR "averageRepeatSpend" >= 0)
    AND ("forecastMonths" IS NULL OR "forecastMonths" > 0)
    AND ("firstPurchaseOn" IS NULL OR "lastPurchaseOn" >= "firstPurchaseOn")
);
ALTER TABLE "ScoreModel" ADD CONSTRAINT "ScoreModel_fitted_on_customers" CHECK (
    "customersFitted" > 0 AND "repeatCustomersFitted" >= 0 AND "repeatCustomersFitted" <= "customersFitted"
);
