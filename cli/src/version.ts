/** The CLI's version: package.json's, written in by build.mjs (`define`); "dev" when run from source (tests). */

declare const EDGEWISE_VERSION: string | undefined;

export const VERSION: string = typeof EDGEWISE_VERSION === "string" ? EDGEWISE_VERSION : "dev";
export const USER_AGENT = `edgewise-cli/${VERSION} node/${process.versions.node}`;
