import { AwsServiceError } from '../../../src/aws-protocol';
import { matchesTrace, parseFilterExpression } from '../../../src/xray/filter-expression';
import type { SegmentDocument } from '../../../src/xray/segment-document';
import { analyzeTrace, type AnalyzedTrace } from '../../../src/xray/trace-analysis';
import { orderRequest, traceIdAt } from './recorded-traces';

const T = 1_800_000_000;
const accepted = analyzeTrace(
  traceIdAt(T, 'a'),
  orderRequest({
    traceId: traceIdAt(T, 'a'),
    start: T,
    orderId: 'order_1',
    annotations: { user_id: 'user_7', total_cents: 2500, express: false },
  }),
);
const refused = analyzeTrace(
  traceIdAt(T, 'b'),
  orderRequest({ traceId: traceIdAt(T, 'b'), start: T, orderId: 'order_2', status: 400 }),
);
const failed = analyzeTrace(
  traceIdAt(T, 'c'),
  orderRequest({ traceId: traceIdAt(T, 'c'), start: T, orderId: 'order_3', status: 502 }),
);
const throttled = analyzeTrace(
  traceIdAt(T, 'd'),
  orderRequest({ traceId: traceIdAt(T, 'd'), start: T, orderId: 'order_4', status: 429 }),
);
const unfinished = analyzeTrace(
  traceIdAt(T, 'e'),
  orderRequest({ traceId: traceIdAt(T, 'e'), start: T, orderId: 'order_5', consumerInProgress: true }),
);
const traces: Record<string, AnalyzedTrace> = { accepted, refused, failed, throttled, unfinished };

/** The names of the traces the filter finds. */
const found = (expression: string): string[] => {
  const filter = parseFilterExpression(expression);
  return Object.entries(traces)
    .filter(([, trace]) => matchesTrace(filter, trace))
    .map(([name]) => name);
};

/** The message of the InvalidRequestException the expression is refused with. */
const refusal = (expression: string): string => {
  try {
    parseFilterExpression(expression);
  } catch (error) {
    expect(error).toBeInstanceOf(AwsServiceError);
    expect((error as AwsServiceError).code).toBe('InvalidRequestException');
    return (error as AwsServiceError).message;
  }
  throw new Error(`'${expression}' was accepted`);
};

describe('boolean keywords (of the root segment; throttle and partial of any)', () => {
  test.each([
    ['ok', ['accepted', 'unfinished']],
    ['error', ['refused', 'throttled']],
    ['fault', ['failed']],
    ['throttle', ['throttled']],
    ['partial', ['unfinished']],
    ['!ok', ['refused', 'failed', 'throttled']],
    ['fault = true', ['failed']],
    ['fault = false', ['accepted', 'refused', 'throttled', 'unfinished']],
    ['fault != false', ['failed']],
    ['ERROR = TRUE', ['refused', 'throttled']],
  ])('%s', (expression, expected) => {
    expect(found(expression)).toEqual(expected);
  });
});

describe('number keywords', () => {
  test.each([
    ['http.status = 202', ['accepted', 'unfinished']],
    ['http.status != 202', ['refused', 'failed', 'throttled']],
    ['http.status >= 429', ['failed', 'throttled']],
    ['http.status > 429', ['failed']],
    ['http.status < 429', ['accepted', 'refused', 'unfinished']],
    ['http.status <= 400', ['accepted', 'refused', 'unfinished']],
    // The root segment took 0.5 s, the whole trace 0.9 s (the consumer's delivery ran on).
    ['responsetime = 0.5', Object.keys(traces)],
    ['responsetime > 0.5', []],
    ['duration > 0.5', ['accepted', 'refused', 'failed', 'throttled', 'unfinished']],
    ['duration >= 0.9 AND duration <= 0.9', ['accepted', 'refused', 'failed', 'throttled', 'unfinished']],
    ['duration < 0.5', []],
  ])('%s', (expression, expected) => {
    expect(found(expression)).toEqual(expected);
  });
});

describe('string keywords', () => {
  test.each([
    ['http.url = "http://127.0.0.1:3000/orders"', Object.keys(traces)],
    ['http.url CONTAINS "/orders"', Object.keys(traces)],
    ['http.url BEGINSWITH "https:"', []],
    ['http.url ENDSWITH "/orders"', Object.keys(traces)],
    ['http.method = "GET"', []],
    ['http.method != "GET"', Object.keys(traces)],
    ['http.useragent contains "curl"', Object.keys(traces)],
    ['http.clientip = "127.0.0.1"', Object.keys(traces)],
  ])('%s', (expression, expected) => {
    expect(found(expression)).toEqual(expected);
  });
});

describe('annotations', () => {
  test.each([
    ['annotation.order_id = "order_1"', ['accepted']],
    ['annotation.order_id != "order_1"', ['refused', 'failed', 'throttled', 'unfinished']],
    ['annotation.order_id BEGINSWITH "order_"', Object.keys(traces)],
    ['annotation.user_id = "user_7"', ['accepted']],
    // A trace without the key is found by no comparison, != included.
    ['annotation.user_id != "user_8"', ['accepted']],
    ['annotation.total_cents = 2500', ['accepted']],
    ['annotation.total_cents >= 2000 AND annotation.total_cents < 3000', ['accepted']],
    ['annotation.total_cents = "2500"', []],
    ['annotation.express = false', ['accepted']],
    ['annotation.ColdStart', Object.keys(traces)],
    ['annotation.express', []],
    ['annotation.missing', []],
  ])('%s', (expression, expected) => {
    expect(found(expression)).toEqual(expected);
  });
});

describe('service() and edge()', () => {
  test.each([
    ['service("CreateOrder")', Object.keys(traces)],
    ['service("Nowhere")', []],
    ['service(id(name: "CreateOrder", type: "AWS::Lambda::Function"))', Object.keys(traces)],
    ['service(id(type: "AWS::DynamoDB::Table"))', Object.keys(traces)],
    ['service(id(name: "CreateOrder", type: "AWS::SQS::Queue"))', []],
    ['service("shop-api/prod") { fault }', ['failed']],
    ['service() { fault }', ['failed']],
    ['service("Projector") { partial }', ['unfinished']],
    ['service("shop-api/prod") { http.status = 400 OR http.status = 429 }', ['refused', 'throttled']],
    ['!service("shop-api/prod") { error }', ['accepted', 'failed', 'unfinished']],
    ['edge("CreateOrder", "DynamoDB")', Object.keys(traces)],
    ['edge("CreateOrder", "Projector")', []],
    ['edge(id(name: "shop", type: "AWS::Events"), "Projector") { responsetime > 0.5 }', Object.keys(traces)],
    ['edge("shop-api/prod", "CreateOrder") { fault }', []],
  ])('%s', (expression, expected) => {
    expect(found(expression)).toEqual(expected);
  });

  test('an edge counts the call as its caller recorded it: a faulty Lambda subsegment', () => {
    // Prepare
    const traceId = traceIdAt(T, 'f');
    const documents = orderRequest({ traceId, start: T, orderId: 'o' }).map((document): SegmentDocument =>
      document.origin === 'AWS::ApiGateway::Stage'
        ? { ...document, subsegments: document.subsegments?.map((sub) => ({ ...sub, fault: true })) }
        : document,
    );
    const trace = analyzeTrace(traceId, documents);

    // Act
    const matched = matchesTrace(
      parseFilterExpression('edge("shop-api/prod", "CreateOrder") { fault }'),
      trace,
    );

    // Assess
    expect(matched).toBe(true);
  });
});

describe('AND, OR, !, parentheses and precedence', () => {
  test.each([
    ['error AND http.status = 429', ['throttled']],
    ['error OR fault', ['refused', 'failed', 'throttled']],
    // Side by side: AND.
    ['ok !partial duration < 1', ['accepted']],
    // AND binds tighter than OR: fault OR (error AND throttle).
    ['fault OR error AND throttle', ['failed', 'throttled']],
    ['(fault OR error) AND throttle', ['throttled']],
    // ! binds tighter than AND.
    ['!fault AND !ok', ['refused', 'throttled']],
    ['!(fault OR ok)', ['refused', 'throttled']],
    ['!!fault', ['failed']],
    ['ok and annotation.order_id = "order_1" or fault', ['accepted', 'failed']],
  ])('%s', (expression, expected) => {
    expect(found(expression)).toEqual(expected);
  });
});

describe('refused expressions', () => {
  test('an unsupported keyword, with the supported ones listed', () => {
    const message = refusal('user = "ada"');
    expect(message).toMatch(
      /^Unsupported FilterExpression: the local X-Ray does not support the keyword 'user'/,
    );
    expect(message).toContain('annotation.<key>');
    expect(message).toContain('service(…)');
    expect(refusal('rootcause.fault.service { name = "x" }')).toContain("keyword 'rootcause.fault.service'");
  });

  test.each([
    ['', /the expression is empty/],
    ['fault AND', /expected a keyword, found the end of the expression/],
    ['(fault', /expected '\)', found the end/],
    ['fault)', /unexpected '\)' at position 6/],
    ['http.status = "200"', /http.status needs a number/],
    ['http.status CONTAINS 2', /http.status is compared with =, !=, <, <=, >, >=/],
    ['http.url = 3', /http.url needs a string in double quotes/],
    ['http.url > "a"', /http.url is compared with =, !=, CONTAINS, BEGINSWITH, ENDSWITH/],
    ['fault = 1', /fault is compared with true or false/],
    ['fault > true', /fault is compared with = or != only/],
    ['annotation.order_id = "unterminated', /no closing quote/],
    ['annotation.total > "a"', /needs a number value/],
    ['annotation.total CONTAINS 3', /needs a string value/],
    ['annotation.order-id = "x"', /unexpected character '-'|annotation key/],
    ['annotation.a.b = "x"', /an annotation key is made of letters, digits and underscores/],
    ['service("a") { annotation.order_id = "x" }', /cannot be used inside service\(…\) or edge\(…\) braces/],
    ['service("a") { service("b") }', /expected a keyword|cannot be used inside braces/],
    ['service(3)', /expected a service name in double quotes or id\(…\)/],
    ['service(id(kind: "x"))', /id\(…\) takes name: and type:/],
    ['id(name: "a")', /id\(…\) names a service inside service\(…\) or edge\(…\) only/],
    ['edge("a")', /expected ',', found '\)'/],
    ['fault # error', /unexpected character '#' at position 7/],
    ['OR fault', /expected a keyword before 'OR'/],
    [`${'('.repeat(60)}ok${')'.repeat(60)}`, /nests deeper than 50 levels/],
  ])('%s', (expression, expected) => {
    expect(refusal(expression)).toMatch(expected);
  });
});
