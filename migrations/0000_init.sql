CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`sale_id` text NOT NULL,
	`seq` integer NOT NULL,
	`user_id` text NOT NULL,
	`quantity` integer NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_sale_buyer` ON `orders` (`sale_id`,`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `orders_sale_seq` ON `orders` (`sale_id`,`seq`);--> statement-breakpoint
CREATE TABLE `sales` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL
);
