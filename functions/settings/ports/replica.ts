import type { Setting } from '../domain/setting';

/** What a conditional write did on one replica. */
export type ReplicaWriteOutcome =
  /** The replica now holds the written version. */
  | 'applied'
  /** The replica already held this version or a newer one, and kept it. */
  | 'superseded';

/** A page of a replica's settings, for the anti-entropy sweep. */
export interface ReplicaPage {
  readonly settings: readonly Setting[];
  /** Pass back to read the next page; absent on the last. */
  readonly cursor?: string;
}

/**
 * One storage node of the replicated key-value store: a table of its own. Every method may reject
 * when the node is down or slow (the caller counts it as no answer); none ever lowers a key's version.
 */
export interface Replica {
  /** Named in logs, metrics and repair messages. */
  readonly name: string;
  /** The replica's setting of `key` (a strongly consistent read of this node), or `undefined`. */
  read(key: string): Promise<Setting | undefined>;
  /** Writes `setting` unless the replica holds its version or a newer one. */
  write(setting: Setting): Promise<ReplicaWriteOutcome>;
  /**
   * Takes back a write that did not reach its quorum: puts `previous` back (or removes the key when
   * there was none) only if the replica still holds exactly `written`'s version.
   */
  undo(written: Setting, previous: Setting | undefined): Promise<void>;
  /** One page of every key the replica holds. */
  page(cursor?: string): Promise<ReplicaPage>;
}

/** The replicas of the store, found by name (repair messages and faults name them). */
export type Replicas = readonly Replica[];
