-- A field's history is what an admin reads to see who changed a patient's details: it must
-- not be rewritten. Direct edits by someone who drops these triggers still show in the audit
-- trail's hash chain, which records every correction.
CREATE TRIGGER patient_history_no_update BEFORE UPDATE ON patient_history
BEGIN
  SELECT RAISE(ABORT, 'patient_history is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER patient_history_no_delete BEFORE DELETE ON patient_history
BEGIN
  SELECT RAISE(ABORT, 'patient_history is append-only');
END;
