CREATE TABLE `clinic_cards` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`encryption_public` text NOT NULL,
	`signing_public` text NOT NULL,
	`imported_by` text NOT NULL,
	`imported_at` integer NOT NULL,
	`confirmed_by` text,
	`confirmed_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `clinic_identity` (
	`id` text PRIMARY KEY NOT NULL,
	`keys` blob NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `referral_inbox` (
	`id` text PRIMARY KEY NOT NULL,
	`from_fingerprint` text NOT NULL,
	`package` text NOT NULL,
	`source` text NOT NULL,
	`mailbox_id` text,
	`status` text NOT NULL,
	`sent_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`patient_id` text,
	`accepted_by` text,
	`accepted_at` integer
);
--> statement-breakpoint
CREATE INDEX `referral_inbox_received` ON `referral_inbox` (`received_at`);