-- Audit entries written before passwords were taken out of the log: frontend.create/update kept the whole
-- frontend row, password included. The value becomes "[redacted]" (the app's REDACTED marker); the rest
-- of each entry is left as it was. The only change ever made to audit rows.
UPDATE "AuditEntry" SET "before" = json_set("before", '$.password', '[redacted]')
  WHERE json_valid("before") AND json_type("before", '$.password') = 'text' AND json_extract("before", '$.password') <> '';
UPDATE "AuditEntry" SET "after" = json_set("after", '$.password', '[redacted]')
  WHERE json_valid("after") AND json_type("after", '$.password') = 'text' AND json_extract("after", '$.password') <> '';
UPDATE "AuditEntry" SET "details" = json_set("details", '$.password', '[redacted]')
  WHERE json_valid("details") AND json_type("details", '$.password') = 'text' AND json_extract("details", '$.password') <> '';
