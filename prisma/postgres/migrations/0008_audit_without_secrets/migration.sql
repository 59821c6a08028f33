-- Audit entries written before passwords were taken out of the log: frontend.create/update kept the whole
-- frontend row, password included. The value becomes "[redacted]" (the app's REDACTED marker); the rest
-- of each entry is left as it was. The only change ever made to audit rows. The columns hold JSON text
-- written by JSON.stringify; only rows that mention a password key are parsed.
UPDATE "AuditEntry" SET "before" = jsonb_set("before"::jsonb, '{password}', '"[redacted]"')::text
  WHERE "before" LIKE '{%"password"%' AND jsonb_typeof("before"::jsonb -> 'password') = 'string'
    AND "before"::jsonb ->> 'password' <> '';
UPDATE "AuditEntry" SET "after" = jsonb_set("after"::jsonb, '{password}', '"[redacted]"')::text
  WHERE "after" LIKE '{%"password"%' AND jsonb_typeof("after"::jsonb -> 'password') = 'string'
    AND "after"::jsonb ->> 'password' <> '';
UPDATE "AuditEntry" SET "details" = jsonb_set("details"::jsonb, '{password}', '"[redacted]"')::text
  WHERE "details" LIKE '{%"password"%' AND jsonb_typeof("details"::jsonb -> 'password') = 'string'
    AND "details"::jsonb ->> 'password' <> '';
