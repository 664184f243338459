-- CreateTable
CREATE TABLE "CustomerRescoreDue" (
    "customerId" UUID NOT NULL,
    "dueSince" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CustomerRescoreDue_pkey" PRIMARY KEY ("customerId")
);

-- AddForeignKey
ALTER TABLE "CustomerRescoreDue" ADD CONSTRAINT "CustomerRescoreDue_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
