CREATE TABLE `lab_results` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`attachment_id` text,
	`observations` blob NOT NULL,
	`received_by` text,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `lab_results_patient` ON `lab_results` (`patient_id`);