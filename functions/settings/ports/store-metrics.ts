/** What the store counts (CloudWatch metrics through Powertools Metrics' EMF). */
export const STORE_METRICS = {
  reads: 'SettingReads',
  singleReplicaReads: 'SettingSingleReplicaReads',
  writes: 'SettingWrites',
  staleReplicasSeen: 'StaleReplicasSeen',
  blockingRepairs: 'RepairsBlocking',
  backgroundRepairs: 'RepairsBackground',
  sweepRepairs: 'RepairsSweep',
  readQuorumFailures: 'ReadQuorumFailures',
  writeQuorumFailures: 'WriteQuorumFailures',
  replicaFailures: 'ReplicaFailures',
} as const;

export type StoreMetric = (typeof STORE_METRICS)[keyof typeof STORE_METRICS];

/** Counts one kind of event; the handler publishes what was counted once it answers. */
export type CountMetric = (metric: StoreMetric, value?: number) => void;
