-- AlterTable
ALTER TABLE "Sandbox" ADD COLUMN     "settings" TEXT NOT NULL DEFAULT '{}',
ADD COLUMN     "variantOfId" TEXT;

-- AlterTable
ALTER TABLE "EvalRun" ADD COLUMN     "suiteCorrect" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "suiteSize" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "EvalResult" ADD COLUMN     "suiteMatch" BOOLEAN,
ADD COLUMN     "suiteSize" INTEGER NOT NULL DEFAULT 0;

