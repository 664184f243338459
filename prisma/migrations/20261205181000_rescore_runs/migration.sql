-- CreateTable
CREATE TABLE "RescoreRun" (
    "id" TEXT NOT NULL,
    "asOf" TIMESTAMPTZ(3) NOT NULL,
    "slices" INTEGER NOT NULL,

    CONSTRAINT "RescoreRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RescoreRun_asOf_idx" ON "RescoreRun"("asOf" DESC);
