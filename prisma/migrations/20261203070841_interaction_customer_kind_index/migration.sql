-- CreateIndex
CREATE INDEX "Interaction_customerId_kind_occurredAt_idx" ON "Interaction"("customerId", "kind", "occurredAt");
