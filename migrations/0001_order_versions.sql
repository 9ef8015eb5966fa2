DROP INDEX `orders_sale_buyer`;--> statement-breakpoint
ALTER TABLE `orders` ADD `variant_id` text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `amount_cents` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `currency` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `hold_expires_at` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `paid_at` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `orders_sale_buyer` ON `orders` (`sale_id`,`user_id`);