/**
 * Task tokens of `.waitForTaskToken` tasks: issued when a state reads `$$.Task.Token`, completed by
 * `SendTaskSuccess`/`SendTaskFailure`, kept alive by `SendTaskHeartbeat`, and answered as AWS answers
 * once their task is over (`TaskTimedOut`), unknown (`TaskDoesNotExist`) or malformed (`InvalidToken`).
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '../aws-protocol';

export type TaskOutcome =
  | { readonly kind: 'success'; readonly output: unknown }
  | { readonly kind: 'failure'; readonly error?: string; readonly cause?: string }
  | { readonly kind: 'heartbeat-timeout' }
  /** The task ended otherwise (timed out, execution stopped): nobody is waiting for its result. */
  | { readonly kind: 'closed' };

interface TokenEntry {
  readonly executionArn: string;
  open: boolean;
  /** An outcome that arrived before anyone waited (a callback can come back before its request returns). */
  outcome?: TaskOutcome;
  settle?: (outcome: TaskOutcome) => void;
  heartbeatMs?: number;
  heartbeatTimer?: NodeJS.Timeout;
}

const TOKEN_PREFIX = 'AQ';
const MAX_OUTPUT_BYTES = 262_144;

export class TaskTokenRegistry {
  private readonly tokens = new Map<string, TokenEntry>();

  /** A new open token for a task of `executionArn`. */
  issue(executionArn: string): string {
    const token = `${TOKEN_PREFIX}${Buffer.from(JSON.stringify({ e: executionArn, t: randomUUID() })).toString('base64url')}`;
    this.tokens.set(token, { executionArn, open: true });
    return token;
  }

  /**
   * Starts the task's wait: resolves with the first of success, failure, (with `heartbeatSeconds`) a
   * heartbeat timeout, or the token being closed. Never rejects.
   */
  track(token: string, heartbeatSeconds?: number): Promise<TaskOutcome> {
    const entry = this.tokens.get(token);
    if (entry?.outcome) return Promise.resolve(entry.outcome);
    if (!entry?.open) return Promise.resolve({ kind: 'closed' });
    return new Promise<TaskOutcome>((resolve) => {
      entry.settle = (outcome) => {
        entry.settle = undefined;
        this.closeEntry(entry);
        resolve(outcome);
      };
      if (heartbeatSeconds !== undefined) {
        entry.heartbeatMs = heartbeatSeconds * 1000;
        this.armHeartbeat(entry);
      }
    });
  }

  /** The task is over (timed out, failed to start, execution stopped): later calls get `TaskTimedOut`. */
  close(token: string): void {
    const entry = this.tokens.get(token);
    if (entry) this.closeEntry(entry);
  }

  /** Closes every token of the execution. */
  closeExecution(executionArn: string): void {
    for (const entry of this.tokens.values()) {
      if (entry.executionArn === executionArn) this.closeEntry(entry);
    }
  }

  /** Drops the execution's tokens altogether (the execution is no longer kept). */
  forgetExecution(executionArn: string): void {
    for (const [token, entry] of this.tokens) {
      if (entry.executionArn === executionArn) {
        this.closeEntry(entry);
        this.tokens.delete(token);
      }
    }
  }

  closeAll(): void {
    for (const entry of this.tokens.values()) this.closeEntry(entry);
  }

  // ---- The API ------------------------------------------------------------------------------------

  sendTaskSuccess(token: unknown, output: unknown): void {
    const entry = this.openEntry(token);
    if (typeof output !== 'string') throw validationNull('output');
    if (Buffer.byteLength(output) > MAX_OUTPUT_BYTES) {
      throw new AwsServiceError('InvalidOutput', `The output exceeds ${MAX_OUTPUT_BYTES} bytes.`);
    }
    let value: unknown;
    try {
      value = JSON.parse(output);
    } catch {
      throw new AwsServiceError('InvalidOutput', 'Invalid State Machine Execution Output: not valid JSON.');
    }
    this.deliver(entry, { kind: 'success', output: value });
  }

  sendTaskFailure(token: unknown, error: unknown, cause: unknown): void {
    const entry = this.openEntry(token);
    this.deliver(entry, {
      kind: 'failure',
      error: typeof error === 'string' ? error : undefined,
      cause: typeof cause === 'string' ? cause : undefined,
    });
  }

  sendTaskHeartbeat(token: unknown): void {
    const entry = this.openEntry(token);
    if (entry.heartbeatTimer) this.armHeartbeat(entry);
  }

  // ---- Internals ----------------------------------------------------------------------------------

  private openEntry(token: unknown): TokenEntry {
    if (typeof token !== 'string') throw validationNull('taskToken');
    if (!isWellFormed(token)) {
      throw new AwsServiceError('InvalidToken', 'Invalid Token: the token could not be read.');
    }
    const entry = this.tokens.get(token);
    if (!entry) throw new AwsServiceError('TaskDoesNotExist', 'Task does not exist.');
    if (!entry.open) {
      throw new AwsServiceError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    return entry;
  }

  private deliver(entry: TokenEntry, outcome: TaskOutcome): void {
    if (entry.settle) return entry.settle(outcome);
    // Completed before the task started waiting: kept for `track`, and closed to further calls.
    entry.outcome = outcome;
    entry.open = false;
  }

  private armHeartbeat(entry: TokenEntry): void {
    if (entry.heartbeatTimer) clearTimeout(entry.heartbeatTimer);
    entry.heartbeatTimer = setTimeout(() => entry.settle?.({ kind: 'heartbeat-timeout' }), entry.heartbeatMs);
  }

  private closeEntry(entry: TokenEntry): void {
    entry.open = false;
    if (entry.heartbeatTimer) clearTimeout(entry.heartbeatTimer);
    entry.heartbeatTimer = undefined;
    // A task still waiting is released, so the run it belongs to can wind down.
    entry.settle?.({ kind: 'closed' });
  }
}

function isWellFormed(token: string): boolean {
  if (!token.startsWith(TOKEN_PREFIX)) return false;
  try {
    const decoded: unknown = JSON.parse(
      Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString(),
    );
    return typeof decoded === 'object' && decoded !== null && 'e' in decoded && 't' in decoded;
  } catch {
    return false;
  }
}

function validationNull(member: string): AwsServiceError {
  return new AwsServiceError(
    'ValidationException',
    `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
  );
}
