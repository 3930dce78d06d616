import * as z from 'zod';
import type { QueueBatchResponse, QueueEvent, QueueRecord } from '../../../shared/messaging/event-consumer';
import type { AppLogger } from '../../../shared/observability/app-logger';
import type { RepairLateReplica } from '../application/repair-late-replica';
import type { LateReplicaRepair } from '../ports/repair-queue';

export interface RepairLateReplicaHandlerDependencies {
  readonly repairLateReplica: RepairLateReplica;
  readonly logger: AppLogger;
}

const settingValue = z.json();
const RepairMessage = z.object({
  replica: z.string().min(1),
  setting: z.object({
    key: z.string().min(1),
    value: settingValue,
    version: z.object({ counter: z.number().int().positive(), writer: z.string().min(1) }),
    updatedAt: z.string(),
  }),
});

/**
 * The background repairer: each message names a replica that was late to a read and the newest setting
 * the read found; it is written there unless the replica is up to date by now. A failed repair is a
 * batch item failure (delivered again, dead-lettered in the end); an unreadable message is logged and
 * dropped, as no delivery can ever apply it.
 */
export function makeHandler(
  deps: RepairLateReplicaHandlerDependencies,
): (event: QueueEvent) => Promise<QueueBatchResponse> {
  return async (event) => {
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      const repair = parsed(record);
      if (repair === undefined) continue;
      try {
        const outcome = await deps.repairLateReplica(repair);
        deps.logger.info('Late replica checked', {
          key: repair.setting.key,
          replica: repair.replica,
          outcome,
        });
      } catch (error) {
        deps.logger.warn('A late replica could not be repaired; the message comes back', {
          key: repair.setting.key,
          replica: repair.replica,
          error,
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };

  function parsed(record: QueueRecord): LateReplicaRepair | undefined {
    let json: unknown;
    try {
      json = JSON.parse(record.body);
    } catch {
      json = undefined;
    }
    const result = RepairMessage.safeParse(json);
    if (result.success) return result.data;
    deps.logger.error('A repair message that is not one was dropped', {
      messageId: record.messageId,
      error: result.error,
    });
    return undefined;
  }
}
