CREATE TABLE `key_wraps` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`wrapped_under` integer NOT NULL,
	`wrapped_key` blob NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer
);
--> statement-breakpoint
CREATE TABLE `sync_waiting` (
	`change_id` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`tbl` text NOT NULL,
	`row_id` text NOT NULL,
	`col` text NOT NULL,
	`clock` text NOT NULL,
	`device_id` text NOT NULL,
	`reason` text NOT NULL,
	`key_version` integer,
	`held_at` integer NOT NULL,
	`value` blob NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sync_waiting_seq` ON `sync_waiting` (`seq`);