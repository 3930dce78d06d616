import type { SweepReplicas, SweepReport } from '../application/sweep-replicas';

export interface SweepReplicasHandlerDependencies {
  readonly sweepReplicas: SweepReplicas;
}

/** The anti-entropy sweep, run by its schedule (an EventBridge rule); the scheduled event carries nothing it needs. */
export function makeHandler(deps: SweepReplicasHandlerDependencies): () => Promise<SweepReport> {
  return async () => deps.sweepReplicas();
}
