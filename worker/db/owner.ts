/** The `user_id` column of every user-owned table: required, and deleted with its user. */
import { text } from "drizzle-orm/sqlite-core";
import { users } from "./schema-platform";

export const owner = () =>
  text("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" });
