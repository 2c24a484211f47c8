/** Everything under /api/v1/graph: sync protocol, entities, relationships and traversal, conflicts, attachments, live. */
import { createRouter } from "../../openapi";
import { attachmentRoutes } from "./attachment-routes";
import { conflictRoutes } from "./conflict-routes";
import { entityRoutes } from "./entity-routes";
import { liveRoutes } from "./live-routes";
import { relationshipRoutes } from "./relationship-routes";
import { syncRoutes } from "./sync-routes";

export const graphRoutes = createRouter();
for (const routes of [syncRoutes, entityRoutes, relationshipRoutes, conflictRoutes, attachmentRoutes, liveRoutes]) {
  graphRoutes.route("/", routes);
}
