/** What answering a task token found: delivered, or no execution waits on the token any more. */
export type TaskCallbackOutcome = 'delivered' | 'task-closed';

/** Answers a Step Functions task token (`SendTaskSuccess` / `SendTaskFailure`). */
export interface TaskCallbacks {
  succeed(taskToken: string, output: unknown): Promise<TaskCallbackOutcome>;
  fail(taskToken: string, error: string, cause: string): Promise<TaskCallbackOutcome>;
}
