/**
 * `GET /_local/traces` (summaries, newest first, `?limit=`, 100 by default) and
 * `GET /_local/traces/{id}` (every segment of one trace, as a tree).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../cloud/http-server';
import { isTraceId } from './trace-header';
import type { TraceStore } from './trace-store';
import { summarizeTrace, summarizeTraces } from './trace-summary';
import { buildTraceTree } from './trace-tree';

const DEFAULT_LIMIT = 100;
const PREFIX = '/_local/traces';

/** Answers the traces endpoints; false for any other request. */
export async function handleTracesApi(
  store: TraceStore,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  if (req.method !== 'GET') return false;
  const url = new URL(req.url ?? '/', 'http://local');
  const path = url.pathname.replace(/\/+$/, '');
  if (path === PREFIX) {
    const limitText = url.searchParams.get('limit');
    const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1) {
      sendJson(res, 400, { message: `limit must be a positive integer, not '${limitText ?? ''}'` });
      return true;
    }
    sendJson(res, 200, { traces: summarizeTraces(store.all(), limit), daemon: store.stats() });
    return true;
  }
  if (!path.startsWith(`${PREFIX}/`)) return false;
  const traceId = path.slice(PREFIX.length + 1).toLowerCase();
  const documents = isTraceId(traceId) ? store.trace(traceId) : [];
  if (documents.length === 0) {
    sendJson(res, 404, { message: `No trace ${traceId} in the local X-Ray daemon` });
    return true;
  }
  sendJson(res, 200, {
    ...summarizeTrace(traceId, documents),
    segments: buildTraceTree(documents),
  });
  return true;
}
