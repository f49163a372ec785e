CREATE TABLE `invoice_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`invoice_id` text NOT NULL,
	`position` integer NOT NULL,
	`price_item_id` text,
	`description` blob NOT NULL,
	`category` text NOT NULL,
	`quantity` integer NOT NULL,
	`unit_price_paise` integer NOT NULL,
	`discount_paise` integer NOT NULL,
	`tax_bp` integer NOT NULL,
	`tax_paise` integer NOT NULL,
	`total_paise` integer NOT NULL,
	`removed` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `invoice_lines_invoice` ON `invoice_lines` (`invoice_id`,`position`);--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`visit_id` text NOT NULL,
	`patient_id` text NOT NULL,
	`doctor_id` text,
	`number` text NOT NULL,
	`status` text NOT NULL,
	`subtotal_paise` integer NOT NULL,
	`discount_paise` integer NOT NULL,
	`tax_paise` integer NOT NULL,
	`total_paise` integer NOT NULL,
	`line_count` integer NOT NULL,
	`workstation_id` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`issued_at` integer,
	`issued_day` text,
	`voided_at` integer,
	`voided_day` text,
	`voided_by` text,
	`void_reason` blob,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `invoices_visit` ON `invoices` (`visit_id`);--> statement-breakpoint
CREATE INDEX `invoices_patient` ON `invoices` (`patient_id`);--> statement-breakpoint
CREATE INDEX `invoices_created` ON `invoices` (`created_at`);--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`invoice_id` text NOT NULL,
	`refund_of` text NOT NULL,
	`kind` text NOT NULL,
	`method` text NOT NULL,
	`amount_paise` integer NOT NULL,
	`tendered_paise` integer NOT NULL,
	`change_paise` integer NOT NULL,
	`reference` blob NOT NULL,
	`user_id` text NOT NULL,
	`workstation_id` text NOT NULL,
	`ledger_entry_id` text NOT NULL,
	`at` integer NOT NULL,
	`day` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `payments_invoice` ON `payments` (`invoice_id`);--> statement-breakpoint
CREATE INDEX `payments_day` ON `payments` (`day`);--> statement-breakpoint
CREATE TABLE `price_items` (
	`id` text PRIMARY KEY NOT NULL,
	`item_id` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`category` text NOT NULL,
	`department` text NOT NULL,
	`doctor_id` text,
	`price_paise` integer NOT NULL,
	`tax_bp` integer NOT NULL,
	`effective_from` text NOT NULL,
	`effective_to` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `price_items_item` ON `price_items` (`item_id`,`effective_from`);