CREATE TABLE `attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`visit_id` text,
	`name` blob NOT NULL,
	`mime` text NOT NULL,
	`bytes` integer NOT NULL,
	`key_version` integer NOT NULL,
	`file_sha256` text NOT NULL,
	`uploaded_by` text,
	`uploaded_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `attachments_patient` ON `attachments` (`patient_id`);--> statement-breakpoint
CREATE TABLE `chart_items` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`kind` text NOT NULL,
	`details` blob NOT NULL,
	`recorded_by` text,
	`recorded_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `chart_items_patient` ON `chart_items` (`patient_id`);--> statement-breakpoint
CREATE TABLE `consultations` (
	`visit_id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`doctor_id` text,
	`status` text NOT NULL,
	`complaints` blob NOT NULL,
	`history` blob NOT NULL,
	`examination` blob NOT NULL,
	`vitals` blob NOT NULL,
	`diagnosis` blob NOT NULL,
	`advice` blob NOT NULL,
	`follow_up` blob NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `consultations_patient` ON `consultations` (`patient_id`);--> statement-breakpoint
CREATE TABLE `prescriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`visit_id` text NOT NULL,
	`doctor_id` text NOT NULL,
	`version` integer NOT NULL,
	`previous_id` text NOT NULL,
	`content` blob NOT NULL,
	`digest` text NOT NULL,
	`signed_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `prescriptions_patient` ON `prescriptions` (`patient_id`);--> statement-breakpoint
CREATE INDEX `prescriptions_visit` ON `prescriptions` (`visit_id`);