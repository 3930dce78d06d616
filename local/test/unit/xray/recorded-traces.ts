/**
 * Segment documents as the local services and the functions' X-Ray SDK record them, for the read API's
 * tests: a request through API Gateway to a function that writes to DynamoDB and publishes to EventBridge,
 * whose delivery invokes a second function.
 */
import type { SegmentDocument } from '../../../src/xray/segment-document';

export interface OrderRequest {
  readonly traceId: string;
  /** Epoch seconds. */
  readonly start: number;
  readonly orderId: string;
  readonly status?: number;
  /** The handler's annotations, besides `order_id`. */
  readonly annotations?: Readonly<Record<string, string | number | boolean>>;
  /** Leaves the consumer's function segment in progress. */
  readonly consumerInProgress?: boolean;
}

/** Segment ids: a prefix of the trace's own (its last 4 hex digits) and a 12-digit counter. */
const idOf = (traceId: string, n: number): string => `${traceId.slice(-4)}${String(n).padStart(12, '0')}`;

export function orderRequest(request: OrderRequest): SegmentDocument[] {
  const { traceId, start: t, orderId } = request;
  const status = request.status ?? 202;
  const id = (n: number): string => idOf(traceId, n);
  const common = { trace_id: traceId };
  return [
    {
      ...common,
      id: id(1),
      name: 'shop-api/prod',
      origin: 'AWS::ApiGateway::Stage',
      start_time: t,
      end_time: t + 0.5,
      http: {
        request: {
          method: 'POST',
          url: 'http://127.0.0.1:3000/orders',
          user_agent: 'curl/8',
          client_ip: '127.0.0.1',
        },
        response: { status },
      },
      ...(status >= 500 ? { fault: true } : status >= 400 ? { error: true } : {}),
      ...(status === 429 ? { throttle: true } : {}),
      subsegments: [
        { id: id(2), name: 'Lambda', namespace: 'aws', start_time: t + 0.01, end_time: t + 0.49 },
      ],
    },
    {
      ...common,
      id: id(3),
      parent_id: id(2),
      name: 'CreateOrder',
      origin: 'AWS::Lambda',
      start_time: t + 0.02,
      end_time: t + 0.48,
      resource_arn: 'arn:aws:lambda:us-east-1:000000000000:function:CreateOrder',
    },
    {
      ...common,
      id: id(4),
      parent_id: id(3),
      name: 'CreateOrder',
      origin: 'AWS::Lambda::Function',
      start_time: t + 0.03,
      end_time: t + 0.47,
    },
    {
      ...common,
      id: id(5),
      parent_id: id(4),
      type: 'subsegment',
      name: '## index.handler',
      start_time: t + 0.04,
      end_time: t + 0.46,
      annotations: { order_id: orderId, ColdStart: true, ...request.annotations },
    },
    {
      ...common,
      id: id(6),
      parent_id: id(5),
      type: 'subsegment',
      name: 'DynamoDB',
      namespace: 'aws',
      start_time: t + 0.05,
      end_time: t + 0.15,
      aws: { operation: 'PutItem', table_name: 'orders' },
      http: { response: { status: 200 } },
    },
    {
      ...common,
      id: id(7),
      parent_id: id(5),
      type: 'subsegment',
      name: 'EventBridge',
      namespace: 'aws',
      start_time: t + 0.2,
      end_time: t + 0.3,
      aws: { operation: 'PutEvents' },
    },
    {
      ...common,
      id: id(8),
      parent_id: id(7),
      name: 'shop',
      origin: 'AWS::Events',
      start_time: t + 0.25,
      end_time: t + 0.9,
    },
    {
      ...common,
      id: id(9),
      parent_id: id(8),
      name: 'Projector',
      origin: 'AWS::Lambda',
      start_time: t + 0.3,
      end_time: t + 0.9,
    },
    {
      ...common,
      id: id(10),
      parent_id: id(9),
      name: 'Projector',
      origin: 'AWS::Lambda::Function',
      start_time: t + 0.31,
      ...(request.consumerInProgress === true ? { in_progress: true } : { end_time: t + 0.89 }),
    },
  ];
}

/** A trace id that starts at `epochSeconds`, its random part made of `fill`. */
export function traceIdAt(epochSeconds: number, fill: string): string {
  return `1-${Math.floor(epochSeconds).toString(16).padStart(8, '0')}-${fill.repeat(24).slice(0, 24)}`;
}
