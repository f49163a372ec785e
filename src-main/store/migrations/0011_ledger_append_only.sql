-- A ledger entry is never changed or removed: a correction is a new entry (refund, void)
-- in the chain. Sync never rewrites a row either: each field of an entry is written once,
-- so a received copy is always the same write and is skipped as stale.
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
  SELECT RAISE(ABORT, 'ledger entries are insert-only');
END;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
  SELECT RAISE(ABORT, 'ledger entries are insert-only');
END;
