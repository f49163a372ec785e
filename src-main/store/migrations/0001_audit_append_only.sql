-- The audit trail is insert-only. These triggers stop an ordinary UPDATE or DELETE; someone
-- who drops them and edits rows directly is caught by the hash-chain verifier instead.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
