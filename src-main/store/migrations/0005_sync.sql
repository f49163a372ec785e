CREATE TABLE `conflict_copies` (
	`id` text PRIMARY KEY NOT NULL,
	`source_table` text NOT NULL,
	`source_row_id` text NOT NULL,
	`source_column` text NOT NULL,
	`lost_clock` text NOT NULL,
	`text` blob NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `conflict_copies_source` ON `conflict_copies` (`source_row_id`);--> statement-breakpoint
CREATE TABLE `sync_held` (
	`change_id` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`tbl` text NOT NULL,
	`row_id` text NOT NULL,
	`col` text NOT NULL,
	`clock` text NOT NULL,
	`device_id` text NOT NULL,
	`held_at` integer NOT NULL,
	`value` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sync_own_text_writes` (
	`tbl` text NOT NULL,
	`row_id` text NOT NULL,
	`col` text NOT NULL,
	`clock` text NOT NULL,
	`base` text,
	PRIMARY KEY(`tbl`, `row_id`, `col`, `clock`)
);
--> statement-breakpoint
CREATE TABLE `sync_staging` (
	`tbl` text NOT NULL,
	`row_id` text NOT NULL,
	`col` text NOT NULL,
	`value` blob NOT NULL,
	PRIMARY KEY(`tbl`, `row_id`, `col`)
);
--> statement-breakpoint
CREATE TABLE `sync_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
