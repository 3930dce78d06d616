import {
  InvalidInputTransformerError,
  InvalidJsonPathError,
  TransformedInputNotJsonError,
  applyInputPath,
  applyInputTransformer,
  parseJsonPath,
  targetInput,
  validateInputTransformer,
} from '../../../src/eventbridge/input-transformer';

/** The EC2 example event of AWS's input transformation documentation. */
const event = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: {
    'instance-id': 'i-0123456789',
    state: 'RUNNING',
    count: 3,
    tags: { team: 'orders' },
    items: [{ sku: 'a' }, { sku: 'b' }],
    'odd key': true,
  },
};

const docPaths = { instance: '$.detail.instance-id', state: '$.detail.state' };
const context = {
  ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/example',
  ruleName: 'example',
  ingestionTime: '2015-11-11T21:29:55Z',
};

function transform(inputTemplate: string, inputPathsMap: Record<string, string> = docPaths): string {
  return applyInputTransformer(event, { inputPathsMap, inputTemplate }, context);
}

describe('applyInputPath', () => {
  it.each([
    ['$', event],
    ['$.detail.state', 'RUNNING'],
    ['$.detail.instance-id', 'i-0123456789'],
    ['$.resources[0]', 'arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
    ['$.detail.items[1].sku', 'b'],
    ["$.detail['odd key']", true],
    ['$.detail.tags', { team: 'orders' }],
    ['$.detail.items[*].sku', ['a', 'b']],
    ['$.detail.tags.*', ['orders']],
  ])('selects %s', (path, expected) => {
    // Act
    const value = applyInputPath(event, path);

    // Assess
    expect(value).toEqual(expected);
  });

  it.each(['$.detail.missing', '$.resources[5]', '$.detail.state.deeper'])(
    'gives undefined when %s matches nothing',
    (path) => {
      // Act
      const value = applyInputPath(event, path);

      // Assess
      expect(value).toBeUndefined();
    },
  );

  it.each(['detail.state', '$..state', '$.detail[abc]', '$.', '$detail'])('refuses the path %s', (path) => {
    // Act
    const parse = () => parseJsonPath(path);

    // Assess
    expect(parse).toThrow(InvalidJsonPathError);
  });
});

describe('applyInputTransformer', () => {
  // The rows of the examples table in AWS's input transformation documentation.
  it.each([
    ['a simple string', '"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'],
    [
      'a string with escaped quotes',
      '"instance \\"<instance>\\" is in <state>"',
      '"instance \\"i-0123456789\\" is in RUNNING"',
    ],
    [
      'simple JSON (bare placeholders take JSON strings)',
      '{\n  "instance" : <instance>,\n  "state": <state>\n}',
      '{"instance":"i-0123456789","state":"RUNNING"}',
    ],
    [
      'JSON with strings and variables (quoted placeholders take the characters)',
      '{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}',
      '{"instance":"i-0123456789","state":"RUNNING","instanceStatus":"instance \\"i-0123456789\\" is in RUNNING"}',
    ],
    [
      'JSON mixing variables and constants',
      '{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}',
      '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}',
    ],
    ['reserved variables in a string', '"<aws.events.rule-name> triggered"', '"example triggered"'],
  ])('fills %s', (_case, template, expected) => {
    // Act
    const output = transform(template);

    // Assess
    expect(output).toBe(expected);
  });

  it('fills the reserved rule and time variables in JSON', () => {
    // Act
    const output = transform(
      '{"arn": <aws.events.rule-arn>, "name": "<aws.events.rule-name>", "at": <aws.events.event.ingestion-time>}',
      {},
    );

    // Assess
    expect(JSON.parse(output)).toEqual({
      arn: context.ruleArn,
      name: 'example',
      at: '2015-11-11T21:29:55Z',
    });
  });

  it('gives <aws.events.event> as the envelope without detail and <aws.events.event.json> as the whole event', () => {
    // Act
    const output = JSON.parse(
      transform('{"envelope": <aws.events.event>, "whole": <aws.events.event.json>}', {}),
    );

    // Assess
    expect(output.whole).toEqual(event);
    expect(output.envelope).toEqual({
      version: '0',
      id: event.id,
      detailType: 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '123456789012',
      time: '2015-11-11T21:29:54Z',
      region: 'us-east-1',
      resources: event.resources,
    });
  });

  it('writes numbers, objects and arrays as JSON in a JSON template, bare or quoted', () => {
    // Prepare
    const paths = { count: '$.detail.count', tags: '$.detail.tags', skus: '$.detail.items[*].sku' };

    // Act
    const bare = transform('{"n": <count>, "t": <tags>, "s": <skus>}', paths);
    const quoted = transform('{"n": "<count>", "s": "x<state>y"}', { ...paths, state: '$.detail.state' });

    // Assess
    expect(bare).toBe('{"n":3,"t":{"team":"orders"},"s":["a","b"]}');
    expect(quoted).toBe('{"n":"3","s":"xRUNNINGy"}');
  });

  it.each([
    ['an object', '{"payload": "<tags>"}'],
    ['a list', '{"skus": "<skus>"}'],
    ['an object in a longer string beside a bare one', '{"path": "users/<tags>", "body": <tags>}'],
  ])('delivers nothing when %s inside quotes breaks a JSON template, as AWS does', (_case, template) => {
    // Prepare
    const paths = { tags: '$.detail.tags', skus: '$.detail.items[*].sku' };

    // Act
    const fill = () => transform(template, paths);

    // Assess
    expect(fill).toThrow(TransformedInputNotJsonError);
  });

  it('treats a template that opens with a quote as text, writing objects and lists without quotes', () => {
    // Prepare
    const paths = {
      tags: '$.detail.tags',
      skus: '$.detail.items[*].sku',
      items: '$.detail.items',
      flag: "$.detail['odd key']",
      gone: '$.detail.missing',
    };

    // Act
    const output = transform('"<tags> <skus> <items> <flag> [<gone>]"', paths);

    // Assess
    expect(output).toBe('"{team:orders} [a,b] [{sku:a},{sku:b}] true []"');
  });

  it('passes a text template on as it is, even when it is no JSON string', () => {
    // Act
    const output = transform('"{[/Started <state>"');

    // Assess
    expect(output).toBe('"{[/Started RUNNING"');
  });

  it('gives plain text for a template that is not JSON', () => {
    // Act
    const output = transform('Order <instance> created with <count> items', {
      instance: '$.detail.instance-id',
      count: '$.detail.count',
    });

    // Assess
    expect(output).toBe('Order i-0123456789 created with 3 items');
  });

  it('turns a variable whose path matched nothing into "" when bare in JSON and into nothing elsewhere', () => {
    // Prepare
    const paths = { gone: '$.detail.missing' };

    // Act
    const bare = transform('{"a": <gone>}', paths);
    const quoted = transform('{"a": "x<gone>y"}', paths);
    const text = transform('value=<gone>.', paths);

    // Assess
    expect(bare).toBe('{"a":""}');
    expect(quoted).toBe('{"a":"xy"}');
    expect(text).toBe('value=.');
  });

  it('minifies a JSON result', () => {
    // Act
    const output = transform('[\n  <state>,\n  "fixed"\n]');

    // Assess
    expect(output).toBe('["RUNNING","fixed"]');
  });
});

describe('validateInputTransformer', () => {
  it('accepts 100 paths and the predefined variables', () => {
    // Prepare
    const inputPathsMap = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`v${i}`, '$.detail']));

    // Act
    const check = () =>
      validateInputTransformer(
        { inputPathsMap, inputTemplate: '{"a": <v99>, "r": <aws.events.rule-arn>}' },
        't',
      );

    // Assess
    expect(check).not.toThrow();
  });

  it.each([
    [
      'more than 100 paths',
      {
        inputPathsMap: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`v${i}`, '$.detail'])),
        inputTemplate: '"x"',
      },
      'at most 100',
    ],
    ['a key with a dot', { inputPathsMap: { 'a.b': '$.detail' }, inputTemplate: '"x"' }, 'key a.b'],
    [
      'a path that is not a JSON path',
      { inputPathsMap: { a: 'detail' }, inputTemplate: '"<a>"' },
      'JSON path',
    ],
    [
      'an unknown placeholder',
      { inputPathsMap: { a: '$.detail' }, inputTemplate: '"<b>"' },
      'InputTemplate for target t contains invalid placeholder b.',
    ],
    [
      'a bare placeholder as a key',
      { inputPathsMap: { a: '$.id' }, inputTemplate: '{<a>: 1}' },
      'object key',
    ],
    [
      'a quoted placeholder as a key',
      { inputPathsMap: { a: '$.id' }, inputTemplate: '{"<a>" : 1}' },
      'object key',
    ],
    ['an empty template', { inputTemplate: '' }, 'between 1 and 8192'],
    ['a template over 8192 characters', { inputTemplate: `"${'x'.repeat(8191)}"` }, 'between 1 and 8192'],
  ])('refuses %s', (_case, transformer, reason) => {
    // Act
    const check = () => validateInputTransformer(transformer, 't');

    // Assess
    expect(check).toThrow(InvalidInputTransformerError);
    expect(check).toThrow(reason);
  });

  it('allows a placeholder as a value next to a key', () => {
    // Act
    const check = () =>
      validateInputTransformer(
        { inputPathsMap: { a: '$.id' }, inputTemplate: '{"key": "<a>", "other": <a>}' },
        't',
      );

    // Assess
    expect(check).not.toThrow();
  });
});

describe('targetInput', () => {
  it('sends the whole event by default', () => {
    // Act
    const input = targetInput(event, {});

    // Assess
    expect(JSON.parse(input)).toEqual(event);
  });

  it('sends a constant Input as it is', () => {
    // Act
    const input = targetInput(event, { input: '{"constant":true}' });

    // Assess
    expect(input).toBe('{"constant":true}');
  });

  it('sends what InputPath selects, and null when it selects nothing', () => {
    // Act
    const detail = targetInput(event, { inputPath: '$.detail.tags' });
    const nothing = targetInput(event, { inputPath: '$.detail.missing' });

    // Assess
    expect(detail).toBe('{"team":"orders"}');
    expect(nothing).toBe('null');
  });

  it('sends the filled template of an InputTransformer', () => {
    // Act
    const input = targetInput(
      event,
      {
        inputTransformer: {
          inputPathsMap: docPaths,
          inputTemplate: '{"who": <instance>, "rule": <aws.events.rule-name>}',
        },
      },
      context,
    );

    // Assess
    expect(input).toBe('{"who":"i-0123456789","rule":"example"}');
  });
});
