/** Time helpers: the API speaks ISO 8601, storage speaks epoch milliseconds. */

export const toIso = (ms: number) => new Date(ms).toISOString();
export const toIsoOrNull = (ms: number | null | undefined) => (ms == null ? null : toIso(ms));
