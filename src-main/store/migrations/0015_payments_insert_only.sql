-- A payment or refund is never changed or removed: a correction is a refund row that names
-- the payment it reverses. Sync never rewrites a row either: each field of a payment is
-- written once, so a received copy is always the same write and is skipped as stale.
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments
BEGIN
  SELECT RAISE(ABORT, 'payments are insert-only');
END;
--> statement-breakpoint
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN
  SELECT RAISE(ABORT, 'payments are insert-only');
END;
