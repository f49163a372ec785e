-- A key wrap is written once, by the rotation that made its version; a received copy is
-- the same write and is skipped as stale. Nothing rewrites or removes one.
CREATE TRIGGER key_wraps_no_update BEFORE UPDATE ON key_wraps
BEGIN
  SELECT RAISE(ABORT, 'key wraps are insert-only');
END;
--> statement-breakpoint
CREATE TRIGGER key_wraps_no_delete BEFORE DELETE ON key_wraps
BEGIN
  SELECT RAISE(ABORT, 'key wraps are insert-only');
END;
