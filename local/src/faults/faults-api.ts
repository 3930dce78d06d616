/**
 * `/_local/faults`: set, list and clear faults over HTTP.
 *
 * - `POST /_local/faults` sets one fault (201 with the fault, its id and its seed);
 * - `GET /_local/faults` lists them with their counters; `GET /_local/faults/{id}` shows one;
 * - `DELETE /_local/faults` clears them all; `DELETE /_local/faults/{id}` removes one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readLocalJsonBody, sendError, sendJson } from '../cloud/http-server';
import { UnknownFaultTargetError, type FaultRegistry } from './fault-registry';
import { parseFaultSpec } from './fault-schema';

export const FAULTS_PATH = '/_local/faults';

export function isFaultsPath(pathname: string): boolean {
  return pathname === FAULTS_PATH || pathname.startsWith(`${FAULTS_PATH}/`);
}

export async function handleFaultsApi(
  faults: FaultRegistry,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { pathname } = new URL(req.url ?? '/', 'http://local');
  const method = req.method ?? 'GET';
  if (pathname === FAULTS_PATH || pathname === `${FAULTS_PATH}/`) {
    if (method === 'GET') return sendJson(res, 200, { faults: faults.list() });
    if (method === 'DELETE') return sendJson(res, 200, { deleted: faults.clear() });
    if (method === 'POST') return createFault(faults, req, res);
    return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${FAULTS_PATH}.`);
  }
  const id = pathname.slice(FAULTS_PATH.length + 1);
  if (method !== 'GET' && method !== 'DELETE') {
    return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${FAULTS_PATH}/{id}.`);
  }
  const fault = method === 'GET' ? faults.get(id) : faults.remove(id);
  if (!fault) return sendError(res, 404, 'FAULT_NOT_FOUND', `No fault ${id}.`);
  return sendJson(res, 200, method === 'GET' ? { fault } : { deleted: 1, fault });
}

async function createFault(faults: FaultRegistry, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const read = await readLocalJsonBody(req, res);
  if (read === undefined) return;
  const parsed = parseFaultSpec(read.body);
  if (!parsed.ok) {
    return sendError(res, 400, 'VALIDATION_FAILED', 'The fault is not valid.', parsed.details);
  }
  try {
    return sendJson(res, 201, { fault: faults.add(parsed.spec) });
  } catch (error) {
    if (error instanceof UnknownFaultTargetError) {
      return sendError(res, 422, 'UNKNOWN_TARGET', error.message);
    }
    throw error;
  }
}
