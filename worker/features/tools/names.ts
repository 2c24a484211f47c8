/** What a tool may be called (built-ins, extensions' tools, `<server>__<tool>` from MCP servers). */
export const TOOL_NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;
