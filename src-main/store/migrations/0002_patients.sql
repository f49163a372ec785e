CREATE TABLE `blind_index` (
	`kind` text NOT NULL,
	`token` blob NOT NULL,
	`row_id` text NOT NULL,
	PRIMARY KEY(`kind`, `token`, `row_id`)
);
--> statement-breakpoint
CREATE INDEX `blind_index_row` ON `blind_index` (`row_id`);--> statement-breakpoint
CREATE TABLE `patients` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_number` text NOT NULL,
	`given_names` blob NOT NULL,
	`family_name` blob NOT NULL,
	`sex` blob NOT NULL,
	`birth` blob NOT NULL,
	`phones` blob NOT NULL,
	`address` blob NOT NULL,
	`national_id` blob NOT NULL,
	`other_id` blob NOT NULL,
	`blood_group` blob NOT NULL,
	`height_cm` blob NOT NULL,
	`weight_kg` blob NOT NULL,
	`preferred_language` blob NOT NULL,
	`emergency_contacts` blob NOT NULL,
	`bystander` blob NOT NULL,
	`insurance` blob NOT NULL,
	`allergies` blob NOT NULL,
	`chronic_conditions` blob NOT NULL,
	`medico_legal` blob NOT NULL,
	`notes` blob NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `patients_patient_number_unique` ON `patients` (`patient_number`);