/** Placeholder until the knowledge indexer lands. */
export async function indexFile(_env: Env, _userId: string, _fileId: string): Promise<void> {}
export async function forgetFile(_env: Env, _userId: string, _fileId: string): Promise<void> {}
