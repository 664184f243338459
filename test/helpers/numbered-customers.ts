// Customers with ids in one known order (…-000000000000, …-000000000001, …), made in one statement, for
// tests of what a statement over many customers reads.
import type { PrismaClient } from "../../src/generated/prisma/client.ts";

export async function numberedCustomers(prisma: PrismaClient, count: number): Promise<string[]> {
  const ids = Array.from(
    { length: count },
    (_, index) => `00000000-0000-7000-8000-${String(index).padStart(12, "0")}`,
  );
  await prisma.customer.createMany({ data: ids.map((id) => ({ id })) });
  return ids;
}
