ALTER TABLE `clinic_settings` ADD `second_factor_roles` text;--> statement-breakpoint
ALTER TABLE `users` ADD `totp_secret` blob;--> statement-breakpoint
ALTER TABLE `users` ADD `recovery_codes` blob;--> statement-breakpoint
ALTER TABLE `users` ADD `totp_last_step` integer;