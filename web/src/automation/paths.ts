/** Console addresses of automation pages that carry an id (app.tsx routes them; lists link to them). */
export const TASK_DETAIL_PATH = "/tasks/:id";

export const taskPath = (taskId: string) => `/tasks/${encodeURIComponent(taskId)}`;
