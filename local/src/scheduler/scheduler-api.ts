/**
 * EventBridge Scheduler's REST-JSON protocol on the edge endpoint: `POST|GET|PUT|DELETE
 * /schedules/{Name}`, `GET /schedules`, `POST|GET|DELETE /schedule-groups/{Name}`, `GET
 * /schedule-groups`. Errors as the service sends them: the HTTP status, `x-amzn-errortype` and a body
 * `{ "Message": … }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsServiceError } from '../aws-protocol';
import { readBody, RequestBodyTooLargeError } from '../http/read-body';
import type { SchedulerEngine } from './scheduler-engine';

/** Larger than any valid request: a schedule's input is at most 8 KB. */
const MAX_REQUEST_BODY_BYTES = 256 * 1024;

export async function serveScheduler(
  engine: SchedulerEngine,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://local');
  const [collection, encodedName, ...rest] = url.pathname.split('/').slice(1);
  if (collection === 'tags' && decodeURIComponent(encodedName ?? '').includes(':scheduler:')) {
    send(res, new AwsServiceError('ValidationException', 'Tags are not emulated by the local Scheduler.'));
    return true;
  }
  if ((collection !== 'schedules' && collection !== 'schedule-groups') || rest.length > 0) return false;
  try {
    const input = await readJson(req);
    const name =
      encodedName === undefined || encodedName === '' ? undefined : decodeURIComponent(encodedName);
    const output = route(engine, req.method ?? 'GET', collection, name, url.searchParams, input);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(output));
  } catch (error) {
    send(res, error);
  }
  return true;
}

function route(
  engine: SchedulerEngine,
  method: string,
  collection: 'schedules' | 'schedule-groups',
  name: string | undefined,
  query: URLSearchParams,
  input: Record<string, unknown>,
): unknown {
  if (collection === 'schedules') {
    if (name === undefined) {
      if (method === 'GET') return engine.listSchedules(query);
    } else {
      if (method === 'POST') return engine.createSchedule(name, input);
      if (method === 'GET') return engine.getSchedule(name, query.get('groupName'));
      if (method === 'PUT') return engine.updateSchedule(name, input);
      if (method === 'DELETE') return engine.deleteSchedule(name, query.get('groupName'));
    }
  } else if (name === undefined) {
    if (method === 'GET') return engine.listScheduleGroups(query);
  } else {
    if (method === 'POST') return engine.createScheduleGroup(name);
    if (method === 'GET') return engine.getScheduleGroup(name);
    if (method === 'DELETE') return engine.deleteScheduleGroup(name);
  }
  throw new AwsServiceError('ValidationException', `${method} is not an operation on /${collection}.`);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = (await readBody(req, MAX_REQUEST_BODY_BYTES)).toString('utf8');
  } catch (error) {
    if (error instanceof RequestBodyTooLargeError)
      throw new AwsServiceError('ValidationException', error.message, 413);
    throw error;
  }
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Answered below.
  }
  throw new AwsServiceError('ValidationException', 'The request body must be a JSON object.');
}

function send(res: ServerResponse, error: unknown): void {
  const known = error instanceof AwsServiceError;
  const code = known ? error.code : 'InternalServerException';
  const message = known ? error.message : 'The local Scheduler failed to handle the request.';
  res.writeHead(known ? error.statusCode : 500, {
    'content-type': 'application/json',
    'x-amzn-errortype': code,
  });
  res.end(JSON.stringify({ Message: message }));
}
