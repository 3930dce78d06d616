/**
 * `/_local/clock`: the schedule clock. `GET` answers its time and offset; `POST { "advanceSeconds": n }`
 * moves it forward, and whatever fell due meanwhile fires before the answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readLocalJsonBody, sendError, sendJson } from '../cloud/http-server';
import type { ScheduleClock } from './schedule-clock';

export const CLOCK_PATH = '/_local/clock';
/** Ten years: further than any schedule a test waits for. */
const MAX_ADVANCE_SECONDS = 10 * 366 * 86_400;

export async function handleClockApi(
  clock: ScheduleClock,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (method === 'GET') return sendJson(res, 200, describe(clock));
  if (method !== 'POST')
    return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${CLOCK_PATH}.`);
  const read = await readLocalJsonBody(req, res);
  if (read === undefined) return;
  const body = read.body;
  const advanceSeconds =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>).advanceSeconds
      : undefined;
  const keys = typeof body === 'object' && body !== null ? Object.keys(body) : [];
  if (
    typeof advanceSeconds !== 'number' ||
    !Number.isFinite(advanceSeconds) ||
    advanceSeconds <= 0 ||
    advanceSeconds > MAX_ADVANCE_SECONDS ||
    keys.length !== 1
  ) {
    const message = `Send { "advanceSeconds": n }, n a number above 0 and at most ${MAX_ADVANCE_SECONDS}: the clock only moves forward.`;
    return sendError(res, 400, 'VALIDATION_FAILED', message, [{ path: 'advanceSeconds', message }]);
  }
  clock.advance(advanceSeconds * 1000);
  return sendJson(res, 200, describe(clock));
}

function describe(clock: ScheduleClock): { now: string; offsetSeconds: number } {
  return { now: new Date(clock.now()).toISOString(), offsetSeconds: clock.offset / 1000 };
}
