-- Room on every page of "Identity" for a newer version of its rows. A sync moves an identity's
-- "lastSeenAt" forward each time a fact names it; that column is in no index, so with free space on
-- the page PostgreSQL writes the new version beside the old (a HOT update) and touches none of the
-- table's five indexes (one a trigram GIN). On full pages every such update inserted into all five.
ALTER TABLE "Identity" SET (fillfactor = 80);
