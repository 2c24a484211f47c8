/** Bundled by bench/graph-bench.mjs: the real sync client, for cold-sync timing against `wrangler dev`. */
export { SyncClient } from "../../shared/graph-sync/client";
export { MemoryReplica } from "../../shared/graph-sync/replica";
export { httpTransport } from "../../shared/graph-sync/transport";
