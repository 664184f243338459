-- Every change to an API key that matters to authentication, and every rename of a principal, is
-- announced on the channel cxhub_api_key_changes at commit (pg_notify is transactional): each hub
-- instance drops that key from its validated-key cache (src/auth/api-key-cache.ts). The payload is
-- the key's prefix, or '' when any key may be affected (a principal's name is part of its viewer).
-- lastUsedAt, written once a minute per key by authentication itself, announces nothing.
CREATE FUNCTION "cxhub_notify_api_key_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'Principal' THEN
    PERFORM pg_notify('cxhub_api_key_changes', '');
  ELSE
    PERFORM pg_notify('cxhub_api_key_changes', OLD."prefix");
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "ApiKey_change_notify"
  AFTER UPDATE ON "ApiKey"
  FOR EACH ROW
  WHEN (OLD."revokedAt" IS DISTINCT FROM NEW."revokedAt"
     OR OLD."expiresAt" IS DISTINCT FROM NEW."expiresAt"
     OR OLD."role" IS DISTINCT FROM NEW."role"
     OR OLD."scopes" IS DISTINCT FROM NEW."scopes"
     OR OLD."secretHash" IS DISTINCT FROM NEW."secretHash"
     OR OLD."principalId" IS DISTINCT FROM NEW."principalId"
     OR OLD."prefix" IS DISTINCT FROM NEW."prefix")
  EXECUTE FUNCTION "cxhub_notify_api_key_change"();

CREATE TRIGGER "ApiKey_delete_notify"
  AFTER DELETE ON "ApiKey"
  FOR EACH ROW
  EXECUTE FUNCTION "cxhub_notify_api_key_change"();

CREATE TRIGGER "Principal_rename_notify"
  AFTER UPDATE ON "Principal"
  FOR EACH ROW
  WHEN (OLD."name" IS DISTINCT FROM NEW."name")
  EXECUTE FUNCTION "cxhub_notify_api_key_change"();
