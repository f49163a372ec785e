CREATE TABLE `appointments` (
	`id` text PRIMARY KEY NOT NULL,
	`doctor_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`visit_id` text,
	`date` text NOT NULL,
	`start_min` integer NOT NULL,
	`end_min` integer NOT NULL,
	`status` text NOT NULL,
	`reason` blob NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `appointments_doctor_date` ON `appointments` (`doctor_id`,`date`);--> statement-breakpoint
CREATE INDEX `appointments_patient` ON `appointments` (`patient_id`);--> statement-breakpoint
CREATE TABLE `doctor_leave` (
	`id` text PRIMARY KEY NOT NULL,
	`doctor_id` text NOT NULL,
	`date` text NOT NULL,
	`on_leave` integer NOT NULL,
	`note` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `doctor_leave_doctor` ON `doctor_leave` (`doctor_id`,`date`);--> statement-breakpoint
CREATE TABLE `doctor_schedules` (
	`doctor_id` text PRIMARY KEY NOT NULL,
	`slot_minutes` integer NOT NULL,
	`weekly` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `patient_history` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`field` text NOT NULL,
	`kind` text NOT NULL,
	`changed_by` text,
	`changed_at` integer NOT NULL,
	`value` blob NOT NULL
);
--> statement-breakpoint
CREATE INDEX `patient_history_patient` ON `patient_history` (`patient_id`,`changed_at`);--> statement-breakpoint
CREATE TABLE `patient_photos` (
	`id` text PRIMARY KEY NOT NULL,
	`image` blob NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `visits` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`doctor_id` text,
	`appointment_id` text,
	`day` text NOT NULL,
	`token` integer NOT NULL,
	`priority` text NOT NULL,
	`status` text NOT NULL,
	`reason` blob NOT NULL,
	`created_by` text,
	`checked_in_at` integer NOT NULL,
	`called_at` integer,
	`status_changed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `visits_day` ON `visits` (`day`,`status`);--> statement-breakpoint
CREATE INDEX `visits_patient` ON `visits` (`patient_id`,`day`);