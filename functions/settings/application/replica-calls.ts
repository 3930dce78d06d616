import type { Replica, Replicas } from '../ports/replica';

/** One replica's answer to a call made on every replica. */
export type ReplicaAnswer<T> =
  | { readonly replica: Replica; readonly ok: true; readonly value: T }
  | { readonly replica: Replica; readonly ok: false; readonly error: unknown };

export interface QuorumCall<T> {
  /** The answers that had arrived when the quorum was met, or could no longer be: in arrival order. */
  readonly answered: readonly ReplicaAnswer<T>[];
  /** The replicas that had not answered yet, with the answer they will give. */
  readonly late: readonly { readonly replica: Replica; readonly answer: Promise<ReplicaAnswer<T>> }[];
}

/**
 * Calls every replica at once and settles as soon as `needed` of them succeeded, or as soon as so many
 * failed that `needed` successes can no longer come. The calls still running go on; `late` has them.
 */
export function callReplicas<T>(
  replicas: Replicas,
  call: (replica: Replica) => Promise<T>,
  needed: number,
): Promise<QuorumCall<T>> {
  const answered: ReplicaAnswer<T>[] = [];
  const pending = new Map<Replica, Promise<ReplicaAnswer<T>>>();
  return new Promise((resolve) => {
    let successes = 0;
    let settled = false;
    const settle = (): void => {
      settled = true;
      const late = [...pending].map(([replica, answer]) => ({ replica, answer }));
      resolve({ answered: [...answered], late });
    };
    for (const replica of replicas) {
      const answer = call(replica).then(
        (value): ReplicaAnswer<T> => ({ replica, ok: true, value }),
        (error: unknown): ReplicaAnswer<T> => ({ replica, ok: false, error }),
      );
      pending.set(replica, answer);
      void answer.then((result) => {
        if (settled) return;
        pending.delete(replica);
        answered.push(result);
        if (result.ok) successes += 1;
        const failures = answered.length - successes;
        if (successes >= needed || failures > replicas.length - needed) settle();
      });
    }
  });
}

/** The successful answers' values, with their replicas. */
export function successes<T>(
  answers: readonly ReplicaAnswer<T>[],
): readonly { readonly replica: Replica; readonly value: T }[] {
  return answers.flatMap((answer) => (answer.ok ? [{ replica: answer.replica, value: answer.value }] : []));
}

/** The first failure among `answers`, as the cause of a quorum error. */
export function firstFailure(answers: readonly ReplicaAnswer<unknown>[]): unknown {
  const failed = answers.find((answer) => !answer.ok);
  return failed && !failed.ok ? failed.error : undefined;
}
