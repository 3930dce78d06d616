import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { JsonAnswer } from './shop-cloud';

/** What every refusal of the platform's functions looks like (ARCHITECTURE.md §4). */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: readonly { readonly path: string; readonly message: string }[];
  };
  readonly requestId: string;
}

export const errorOf = (answer: JsonAnswer): ErrorBody => answer.body as unknown as ErrorBody;
export const codeOf = (answer: JsonAnswer): string => errorOf(answer).error?.code ?? `HTTP ${answer.status}`;

/** `status` and the platform's error body with `code`: `{ error: { code, message, details? }, requestId }`. */
export function expectRefusal(answer: JsonAnswer, status: number, code: string, detailPath?: string): void {
  expect({ status: answer.status, code: codeOf(answer) }).toEqual({ status, code });
  const body = errorOf(answer);
  expect(Object.keys(body).sort()).toEqual(['error', 'requestId']);
  expect(body.requestId).toEqual(expect.any(String));
  expect(body.requestId).toBe(answer.headers.get('x-request-id'));
  expect(body.error.message).toEqual(expect.any(String));
  expect(Object.keys(body.error).every((key) => ['code', 'message', 'details'].includes(key))).toBe(true);
  if (detailPath !== undefined) {
    expect(body.error.details?.map((detail) => detail.path)).toContain(detailPath);
  }
}

/** A bad request: what it is, how to send it, and the status, code and detail path it must answer. */
export type RefusalCase = readonly [
  what: string,
  send: () => Promise<JsonAnswer>,
  status: number,
  code: string,
  detailPath?: string,
];

/**
 * Sends the cases one after another (in order: a case may depend on an earlier one's effect, and one
 * at a time they cannot race), then checks each answer, naming the case and its body when one fails.
 */
export async function expectRefusals(cases: readonly RefusalCase[]): Promise<void> {
  const answers: JsonAnswer[] = [];
  for (const [, send] of cases) answers.push(await send());
  cases.forEach(([what, , status, code, detailPath], n) => {
    const answer = answers[n];
    if (answer === undefined) throw new Error(`no answer to ${what}`);
    try {
      expectRefusal(answer, status, code, detailPath);
    } catch (error) {
      throw new Error(`${what}: ${String(error)}\n${answer.text}`);
    }
  });
}

/** Every item of a pk/sk table, read consistently and sorted by key: what "nothing changed" compares. */
export async function tableItems(
  documents: DynamoDBDocumentClient,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  const keyOf = (item: Record<string, unknown>): string => `${String(item['pk'])} ${String(item['sk'])}`;
  return items.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}
