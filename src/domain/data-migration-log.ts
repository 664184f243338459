// Which data migrations (rewrites of stored facts that SQL cannot do) a database has had: a row in
// DataMigration each, written once the migration and whatever follows it (a rescore) are done.
import type { Db } from "../db/database.ts";

export async function dataMigrationDone(db: Db, name: string): Promise<boolean> {
  return (await db.dataMigration.findUnique({ where: { name }, select: { name: true } })) !== null;
}

export async function recordDataMigration(db: Db, name: string): Promise<void> {
  await db.dataMigration.createMany({ data: [{ name }], skipDuplicates: true });
}
