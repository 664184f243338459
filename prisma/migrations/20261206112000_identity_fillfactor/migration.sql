-- Room on every page of "Identity" for a newer version of its rows. A sync moves an identity's
-- "lastSeenAt" forward each time a fact names it; that column is in no index, so with free space on
-- the page PostgreSQL writes the new version beside the old (a HOT update) and touches none of the
-- table's five indexes (one a trigram GIN). On full pages every such update inserted into all five.
-- The setting holds for pages written from now on: an existing table's full pages gain the room as
-- they are rewritten (VACUUM FULL or pg_repack gives it to all of them at once).
ALTER TABLE "Identity" SET (fillfactor = 80);
