// What every resolver receives. Built once per request by the server.
import type { PrismaClient } from "../db/database.ts";

export interface GraphContext {
  prisma: PrismaClient;
}
