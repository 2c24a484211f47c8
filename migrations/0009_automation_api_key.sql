ALTER TABLE `schedules` ADD `api_key_id` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `api_key_id` text;--> statement-breakpoint
ALTER TABLE `workflow_runs` ADD `api_key_id` text;