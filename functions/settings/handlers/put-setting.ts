import { httpHandler, staffOnly, type ProxyHandler } from '../../../shared/http';
import type { AppLogger } from '../../../shared/observability/app-logger';
import type { WriteSetting } from '../application/write-setting';
import { MAX_VALUE_BYTES } from '../domain/setting-key';
import { toWrittenSettingResponse } from './responses';
import { NoQuery, PutSettingBody, SettingPath } from './schemas';

export interface PutSettingHandlerDependencies {
  readonly writeSetting: WriteSetting;
  readonly logger?: AppLogger;
}

/** Room for the `{"value": …}` around the largest value. */
const MAX_BODY_BYTES = MAX_VALUE_BYTES + 1024;

/**
 * `PUT /kv/{key}` `{ value }` (staff only) → 200 `{ key, version, writer }` once a write quorum holds the
 * new version; 413 `VALUE_TOO_LARGE`; 503 `READ_QUORUM_NOT_REACHED` / `WRITE_QUORUM_NOT_REACHED`, with
 * nothing changed, when too few replicas answer.
 */
export function makeHandler(deps: PutSettingHandlerDependencies): ProxyHandler {
  return httpHandler(
    {
      authorize: staffOnly('write settings'),
      pathParameters: SettingPath,
      query: NoQuery,
      body: PutSettingBody,
      maxBodyBytes: MAX_BODY_BYTES,
      logger: deps.logger,
    },
    async ({ pathParameters: { key }, body }) => ({
      statusCode: 200,
      body: toWrittenSettingResponse(await deps.writeSetting(key, body.value)),
    }),
  );
}
