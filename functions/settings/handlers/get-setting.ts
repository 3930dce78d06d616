import { callerOf, httpHandler, type ProxyHandler } from '../../../shared/http';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { logger as sharedLogger } from '../../../shared/observability/logger';
import type { ReadSetting } from '../application/read-setting';
import { toSettingResponse } from './responses';
import { GetSettingQuery, SettingPath } from './schemas';

export interface GetSettingHandlerDependencies {
  readonly readSetting: ReadSetting;
  readonly logger?: AppLogger;
}

/**
 * `GET /kv/{key}[?consistency=one]` → 200 `{ key, value, version, writer, updatedAt }` for any signed-in
 * user: the newest version among a read quorum, stale replicas repaired; 404 `SETTING_NOT_FOUND`.
 */
export function makeHandler(deps: GetSettingHandlerDependencies): ProxyHandler {
  const logger = deps.logger ?? sharedLogger;
  return httpHandler(
    {
      authorize: (event) => void callerOf(event),
      pathParameters: SettingPath,
      query: GetSettingQuery,
      logger,
    },
    async ({ pathParameters: { key }, query }) => {
      const read = await deps.readSetting(key, query.consistency);
      if (read.repaired.length > 0 || read.late.length > 0) {
        logger.info('Read repair', { key, repaired: read.repaired, late: read.late });
      }
      return { statusCode: 200, body: toSettingResponse(read.setting) };
    },
  );
}
