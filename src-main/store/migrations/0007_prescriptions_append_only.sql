-- A signed prescription is immutable: a change is a new row (version + 1) that names the
-- one it replaces. Sync never rewrites a row either: each field of a prescription is
-- written once, so a received copy is always the same write and is skipped as stale.
CREATE TRIGGER prescriptions_no_update BEFORE UPDATE ON prescriptions
BEGIN
  SELECT RAISE(ABORT, 'prescriptions are immutable once signed');
END;
--> statement-breakpoint
CREATE TRIGGER prescriptions_no_delete BEFORE DELETE ON prescriptions
BEGIN
  SELECT RAISE(ABORT, 'prescriptions are immutable once signed');
END;
