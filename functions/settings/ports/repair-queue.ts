import type { Setting } from '../domain/setting';

/**
 * A replica that had not answered when a read had its quorum: the newest setting the read found is
 * queued for it, to be written there later unless it holds that version or a newer one.
 */
export interface LateReplicaRepair {
  readonly replica: string;
  readonly setting: Setting;
}

/** Where late replicas' repairs wait for the background repairer (an SQS queue on AWS). */
export interface RepairQueue {
  send(repair: LateReplicaRepair): Promise<void>;
}
