CREATE TABLE `ledger_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`workstation_id` text NOT NULL,
	`seq` integer NOT NULL,
	`kind` text NOT NULL,
	`ref_id` text NOT NULL,
	`content` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_entries_chain` ON `ledger_entries` (`workstation_id`,`seq`);