-- AlterTable
ALTER TABLE "ScoreModel" ADD COLUMN     "bgNbdAtBound" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "gammaGammaAtBound" TEXT[] DEFAULT ARRAY[]::TEXT[];
