import type { AliasRouting } from '../domain/rollout';

/** An alias as read: its routing, and the revision a conditional write names. */
export interface AliasReading {
  readonly routing: AliasRouting;
  readonly revisionId: string;
}

/** What a conditional write of an alias found. */
export type AliasWriteOutcome = 'written' | 'revision-changed';

/** Lambda aliases, read and written under their revision (optimistic locking). */
export interface FunctionAliases {
  read(functionName: string, aliasName: string): Promise<AliasReading>;
  /**
   * Writes `routing` if the alias is still at `revisionId`; `revision-changed` when someone wrote it
   * since (the write is not made).
   */
  write(
    functionName: string,
    aliasName: string,
    routing: AliasRouting,
    revisionId: string,
  ): Promise<AliasWriteOutcome>;
}
