/** Credentials the local fake servers accept; shared by the servers (Node) and the tests (workerd). */
export const FAKE_SEARCH_KEYS = { brave: "test-brave-key", tavily: "test-tavily-key" };
export const FAKE_MCP_TOKEN = "test-mcp-token";
