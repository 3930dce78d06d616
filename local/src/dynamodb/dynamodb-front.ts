/**
 * The DynamoDB front: the endpoint the functions (and Step Functions' DynamoDB tasks) reach DynamoDB
 * through, a pass-through to DynamoDB Local where the table faults strike. With no table fault set a
 * request is streamed on as it comes, over kept-alive connections, without being read; only when a fault
 * could strike is its body read and parsed, to know which tables it reads or writes. Injected errors are
 * answered in DynamoDB's own JSON 1.0 protocol, so the AWS SDK raises the real exception class.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { listen } from '../cloud/http-server';
import { DYNAMODB_MAX_REQUEST_BYTES } from '../edge/edge-server';
import type { TableAccess, TableFault } from '../faults/fault-registry';
import { limitedBody, readBody, RequestBodyTooLargeError } from '../http/read-body';
import { DYNAMODB_ERROR_NAMESPACE } from './dynamodb-errors';

/** What the front asks before each read or write: the fault registry. */
export interface TableFaultSource {
  hasTableFaults(access: TableAccess): boolean;
  tableFault(access: TableAccess, tableNames: readonly string[]): TableFault | undefined;
}

export interface DynamoDbFrontOptions {
  /** DynamoDB Local's endpoint. */
  readonly dynamoDbEndpoint: string;
  readonly faults: TableFaultSource;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
}

export interface DynamoDbFront {
  readonly url: string;
  close(): Promise<void>;
}

/** The item operations table faults strike, by what they do to the tables they name. */
const ACCESS_OF_OPERATION: ReadonlyMap<string, TableAccess> = new Map([
  ['GetItem', 'read'],
  ['Query', 'read'],
  ['Scan', 'read'],
  ['BatchGetItem', 'read'],
  ['TransactGetItems', 'read'],
  ['PutItem', 'write'],
  ['UpdateItem', 'write'],
  ['DeleteItem', 'write'],
  ['BatchWriteItem', 'write'],
  ['TransactWriteItems', 'write'],
]);

const TARGET_PREFIX = 'DynamoDB_20120810.';
/** Connection headers belong to each hop: the client's `Connection: close` must not close the kept-alive upstream. */
const HOP_BY_HOP_HEADERS = ['connection', 'keep-alive'];

export async function startDynamoDbFront(options: DynamoDbFrontOptions): Promise<DynamoDbFront> {
  const upstream = new URL(options.dynamoDbEndpoint);
  const agent = new http.Agent({ keepAlive: true });
  const forward = (req: IncomingMessage, res: ServerResponse, body: Readable | Buffer): void => {
    const headers: OutgoingHttpHeaders = { ...req.headers, host: upstream.host };
    for (const header of HOP_BY_HOP_HEADERS) delete headers[header];
    if (Buffer.isBuffer(body)) {
      // The body may have been rewritten (writes to a table dropped from a batch).
      delete headers['transfer-encoding'];
      headers['content-length'] = body.length;
    }
    const request = http.request(
      { agent, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        const answerHeaders = { ...answer.headers };
        for (const header of HOP_BY_HOP_HEADERS) delete answerHeaders[header];
        res.writeHead(answer.statusCode ?? 502, answerHeaders);
        answer.pipe(res);
      },
    );
    request.on('error', (error) => sendDynamoDbError(res, 502, 'InternalFailure', error.message));
    if (Buffer.isBuffer(body)) {
      request.end(body);
      return;
    }
    body.on('error', (error) => {
      request.destroy();
      answerBodyError(res, error);
    });
    body.pipe(request);
  };

  const server = await listen(options.port ?? 0, async (req, res) => {
    const operation = operationOf(req);
    const access = operation === undefined ? undefined : ACCESS_OF_OPERATION.get(operation);
    // The fast path: nothing could strike, so the body is streamed on unread.
    if (operation === undefined || access === undefined || !options.faults.hasTableFaults(access)) {
      forward(req, res, limitedBody(req, DYNAMODB_MAX_REQUEST_BYTES));
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, DYNAMODB_MAX_REQUEST_BYTES);
    } catch (error) {
      answerBodyError(res, error);
      return;
    }
    const request = jsonObjectOf(body);
    // A body that is not a JSON object is DynamoDB Local's to refuse, in its words.
    if (request === undefined) return forward(req, res, body);
    const fault = options.faults.tableFault(access, tablesOf(operation, request));
    if (fault === undefined) return forward(req, res, body);
    if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault.failure !== undefined) {
      const { statusCode, errorCode, errorMessage } = fault.failure;
      return sendDynamoDbError(res, statusCode, errorCode, errorMessage);
    }
    if (fault.droppedTables.length === 0) return forward(req, res, body);
    const kept = withoutWritesTo(operation, request, new Set(fault.droppedTables));
    // Every write was to a lossy table: acknowledged as DynamoDB would, and applied nowhere.
    if (kept === undefined) return sendDynamoDbSuccess(res, acknowledgementOf(operation));
    forward(req, res, Buffer.from(JSON.stringify(kept)));
  });

  return {
    url: server.url,
    close: async () => {
      await server.close();
      agent.destroy();
    },
  };
}

/** `PutItem` of `X-Amz-Target: DynamoDB_20120810.PutItem`; undefined for anything else (streams included). */
function operationOf(req: IncomingMessage): string | undefined {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith(TARGET_PREFIX)
    ? target.slice(TARGET_PREFIX.length)
    : undefined;
}

type JsonObject = Readonly<Record<string, unknown>>;

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonObjectOf(body: Buffer): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A table's name, also when given as its ARN (`arn:aws:dynamodb:…:table/<name>`), as the API allows. */
function tableNameOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const marker = value.startsWith('arn:') ? value.indexOf(':table/') : -1;
  return marker < 0 ? value : value.slice(marker + ':table/'.length);
}

/** The write actions of a transaction, by the key that names each. */
const TRANSACT_WRITE_ACTIONS = ['Put', 'Update', 'Delete'] as const;

/** The table a `TransactWriteItems` entry writes, or undefined for a `ConditionCheck` (it writes nothing). */
function transactWriteTable(item: unknown): string | undefined {
  if (!isJsonObject(item)) return undefined;
  for (const action of TRANSACT_WRITE_ACTIONS) {
    const body = item[action];
    if (isJsonObject(body)) return tableNameOf(body.TableName);
  }
  return undefined;
}

/** The tables a request reads or writes. */
function tablesOf(operation: string, request: JsonObject): string[] {
  const names: (string | undefined)[] = [];
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      if (isJsonObject(request.RequestItems))
        names.push(...Object.keys(request.RequestItems).map(tableNameOf));
      break;
    case 'TransactGetItems':
      for (const item of arrayOf(request.TransactItems)) {
        if (isJsonObject(item) && isJsonObject(item.Get)) names.push(tableNameOf(item.Get.TableName));
      }
      break;
    case 'TransactWriteItems':
      names.push(...arrayOf(request.TransactItems).map(transactWriteTable));
      break;
    default:
      names.push(tableNameOf(request.TableName));
  }
  return [...new Set(names.filter((name): name is string => name !== undefined))];
}

function arrayOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The request without its writes to the dropped tables, or undefined when nothing is left to send. A batch
 * or a transaction keeps its writes to the other tables: a lossy storage node loses only its own part.
 */
function withoutWritesTo(
  operation: string,
  request: JsonObject,
  dropped: ReadonlySet<string>,
): JsonObject | undefined {
  const isDropped = (table: unknown): boolean => {
    const name = tableNameOf(table);
    return name !== undefined && dropped.has(name);
  };
  if (operation === 'BatchWriteItem' && isJsonObject(request.RequestItems)) {
    const kept = Object.entries(request.RequestItems).filter(([table]) => !isDropped(table));
    return kept.length === 0 ? undefined : { ...request, RequestItems: Object.fromEntries(kept) };
  }
  if (operation === 'TransactWriteItems') {
    const items = arrayOf(request.TransactItems);
    const kept = items.filter((item) => !isDropped(transactWriteTable(item)));
    // Condition checks alone change nothing: with every write dropped, nothing is sent.
    return kept.some((item) => transactWriteTable(item) !== undefined)
      ? { ...request, TransactItems: kept }
      : undefined;
  }
  return undefined;
}

/** DynamoDB's answer to a write that succeeded, with nothing asked back. */
function acknowledgementOf(operation: string): JsonObject {
  return operation === 'BatchWriteItem' ? { UnprocessedItems: {} } : {};
}

function sendDynamoDbSuccess(res: ServerResponse, body: JsonObject): void {
  const text = JSON.stringify(body);
  res.writeHead(200, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

/** An error as DynamoDB answers it: `__type` and `x-amzn-ErrorType` name the exception, the SDK's class. */
function sendDynamoDbError(res: ServerResponse, statusCode: number, code: string, message: string): void {
  if (res.writableEnded) return;
  const type = `${DYNAMODB_ERROR_NAMESPACE}#${code}`;
  const text = JSON.stringify({ __type: type, message });
  if (!res.headersSent) {
    res.writeHead(statusCode, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(text),
      'x-amzn-errortype': type,
      'x-amzn-requestid': randomUUID(),
    });
  }
  res.end(text);
}

function answerBodyError(res: ServerResponse, error: unknown): void {
  if (error instanceof RequestBodyTooLargeError) {
    sendDynamoDbError(res, 413, 'RequestEntityTooLargeException', error.message);
  } else {
    // The client went away mid-body: nobody is left to answer.
    res.destroy();
  }
}
