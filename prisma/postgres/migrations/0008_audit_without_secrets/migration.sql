-- Audit entries written before passwords were taken out of the log: frontend.create/update kept the whole
-- frontend row, password included. The value becomes "[redacted]" (the app's REDACTED marker); the rest
-- of each entry is left as it was. The only change ever made to audit rows. Text that is not JSON is
-- left alone (PostgreSQL 15 has no IS JSON: a cast that fails reads as NULL here).
CREATE FUNCTION pg_temp.clusterdeck_jsonb_or_null(t text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN t::jsonb;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

UPDATE "AuditEntry" SET "before" = jsonb_set(pg_temp.clusterdeck_jsonb_or_null("before"), '{password}', '"[redacted]"')::text
  WHERE "before" LIKE '%"password"%'
    AND jsonb_typeof(pg_temp.clusterdeck_jsonb_or_null("before") -> 'password') = 'string'
    AND pg_temp.clusterdeck_jsonb_or_null("before") ->> 'password' <> '';
UPDATE "AuditEntry" SET "after" = jsonb_set(pg_temp.clusterdeck_jsonb_or_null("after"), '{password}', '"[redacted]"')::text
  WHERE "after" LIKE '%"password"%'
    AND jsonb_typeof(pg_temp.clusterdeck_jsonb_or_null("after") -> 'password') = 'string'
    AND pg_temp.clusterdeck_jsonb_or_null("after") ->> 'password' <> '';
UPDATE "AuditEntry" SET "details" = jsonb_set(pg_temp.clusterdeck_jsonb_or_null("details"), '{password}', '"[redacted]"')::text
  WHERE "details" LIKE '%"password"%'
    AND jsonb_typeof(pg_temp.clusterdeck_jsonb_or_null("details") -> 'password') = 'string'
    AND pg_temp.clusterdeck_jsonb_or_null("details") ->> 'password' <> '';
