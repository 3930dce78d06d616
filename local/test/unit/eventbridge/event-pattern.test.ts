import {
  InvalidEventPatternError,
  matchesPattern,
  validatePattern,
} from '../../../src/eventbridge/event-pattern';

/** An event value of 256 KB, the size of a whole event on AWS until 2026: no match may take long over it. */
const LARGE_VALUE_LENGTH = 256 * 1024;

/** The reason AWS would give for rejecting `pattern`, or undefined when it accepts it. */
function rejectionOf(pattern: unknown): string | undefined {
  try {
    validatePattern(pattern);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return error.reason;
    throw error;
  }
}

describe('matchesPattern', () => {
  describe('exact values', () => {
    it('ORs the values of a field and ANDs the fields', () => {
      // Prepare
      const pattern = { source: ['orders', 'payments'], 'detail-type': ['OrderPlaced'] };

      // Act
      const results = [
        matchesPattern(pattern, { source: 'payments', 'detail-type': 'OrderPlaced' }),
        matchesPattern(pattern, { source: 'payments', 'detail-type': 'OrderShipped' }),
        matchesPattern(pattern, { source: 'billing', 'detail-type': 'OrderPlaced' }),
      ];

      // Assess
      expect(results).toEqual([true, false, false]);
    });

    it('matches an array in the event when any of its elements matches', () => {
      // Prepare
      const pattern = { resources: ['arn:aws:s3:::b'] };

      // Act
      const withElement = matchesPattern(pattern, { resources: ['arn:aws:s3:::a', 'arn:aws:s3:::b'] });
      const withoutElement = matchesPattern(pattern, { resources: ['arn:aws:s3:::a'] });
      const empty = matchesPattern(pattern, { resources: [] });

      // Assess
      expect([withElement, withoutElement, empty]).toEqual([true, false, false]);
    });

    it('compares numbers as numbers, never with strings', () => {
      // Prepare
      const pattern = { detail: { quantity: [5] } };

      // Act
      const float = matchesPattern(pattern, '{"detail": {"quantity": 5.0}}');
      const exponent = matchesPattern(pattern, '{"detail": {"quantity": 0.5e1}}');
      const text = matchesPattern(pattern, { detail: { quantity: '5' } });

      // Assess
      expect([float, exponent, text]).toEqual([true, true, false]);
    });

    it('matches null only to a null value and "" only to an empty string', () => {
      // Prepare
      const pattern = { detail: { a: [null], b: [''] } };

      // Act
      const both = matchesPattern(pattern, { detail: { a: null, b: '' } });
      const nullText = matchesPattern(pattern, { detail: { a: 'null', b: '' } });
      const missing = matchesPattern(pattern, { detail: { b: '' } });
      const blank = matchesPattern(pattern, { detail: { a: null, b: ' ' } });

      // Assess
      expect([both, nullText, missing, blank]).toEqual([true, false, false, false]);
    });

    it('matches booleans by type as well as value', () => {
      // Prepare
      const pattern = { detail: { paid: [false] } };

      // Act
      const results = [false, 'false', 0].map((paid) => matchesPattern(pattern, { detail: { paid } }));

      // Assess
      expect(results).toEqual([true, false, false]);
    });

    it('matches an IP address literal in any notation of the same address', () => {
      // Prepare
      const pattern = { detail: { ip: ['2001:db8::1'] } };

      // Act
      const expanded = matchesPattern(pattern, { detail: { ip: '2001:0DB8:0:0:0:0:0:1' } });
      const other = matchesPattern(pattern, { detail: { ip: '2001:db8::2' } });

      // Assess
      expect([expanded, other]).toEqual([true, false]);
    });
  });

  describe('nesting', () => {
    it('does not match a nested pattern against a scalar, nor a scalar pattern against an object', () => {
      // Prepare
      const nestedPattern = { detail: { state: { status: ['running'] } } };
      const scalarPattern = { detail: { state: ['running'] } };

      // Act
      const nestedOnScalar = matchesPattern(nestedPattern, { detail: { state: 'running' } });
      const scalarOnObject = matchesPattern(scalarPattern, { detail: { state: { status: 'running' } } });
      const nestedOnNested = matchesPattern(nestedPattern, { detail: { state: { status: 'running' } } });

      // Assess
      expect([nestedOnScalar, scalarOnObject, nestedOnNested]).toEqual([false, false, true]);
    });

    it('treats a dotted key and the nested form as the same field, both ways', () => {
      // Act
      const dottedPattern = matchesPattern({ 'detail.state': ['on'] }, { detail: { state: 'on' } });
      const dottedEvent = matchesPattern({ detail: { state: ['on'] } }, { 'detail.state': 'on' });

      // Assess
      expect([dottedPattern, dottedEvent]).toEqual([true, true]);
    });

    it('reaches into objects inside event arrays', () => {
      // Prepare
      const pattern = { detail: { items: { sku: ['B-2'] } } };

      // Act
      const found = matchesPattern(pattern, { detail: { items: [{ sku: 'A-1' }, { sku: 'B-2' }] } });
      const absent = matchesPattern(pattern, { detail: { items: [{ sku: 'A-1' }, { other: 'B-2' }] } });

      // Assess
      expect([found, absent]).toEqual([true, false]);
    });

    it('never combines fields taken from different elements of the same array', () => {
      // Prepare
      const pattern = { detail: { items: { sku: ['A-1'], quantity: [2] } } };

      // Act
      const sameElement = matchesPattern(pattern, {
        detail: {
          items: [
            { sku: 'B-2', quantity: 2 },
            { sku: 'A-1', quantity: 2 },
          ],
        },
      });
      const acrossElements = matchesPattern(pattern, {
        detail: {
          items: [
            { sku: 'A-1', quantity: 1 },
            { sku: 'B-2', quantity: 2 },
          ],
        },
      });

      // Assess
      expect([sameElement, acrossElements]).toEqual([true, false]);
    });
  });

  describe('prefix, suffix and equals-ignore-case', () => {
    it('matches string prefixes and suffixes, never other types', () => {
      // Prepare
      const prefix = { detail: { code: [{ prefix: '12' }] } };
      const suffix = { detail: { file: [{ suffix: '.png' }] } };

      // Act
      const results = [
        matchesPattern(prefix, { detail: { code: '123' } }),
        matchesPattern(prefix, { detail: { code: 123 } }),
        matchesPattern(suffix, { detail: { file: 'a.png' } }),
        matchesPattern(suffix, { detail: { file: 'a.PNG' } }),
      ];

      // Assess
      expect(results).toEqual([true, false, true, false]);
    });

    it('compares prefixes and suffixes regardless of case when asked to', () => {
      // Prepare
      const prefix = { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] };
      const suffix = { file: [{ suffix: { 'equals-ignore-case': '.PNG' } }] };

      // Act
      const results = [
        matchesPattern(prefix, { service: 'eventbridge' }),
        matchesPattern(prefix, { service: 'events' }),
        matchesPattern(suffix, { file: 'photo.png' }),
        matchesPattern(suffix, { file: 'photo.jpg' }),
      ];

      // Assess
      expect(results).toEqual([true, false, true, false]);
    });

    it('matches equals-ignore-case on the whole string', () => {
      // Prepare
      const pattern = { name: [{ 'equals-ignore-case': 'Alice' }] };

      // Act
      const results = ['ALICE', 'alice', 'Alice Smith'].map((name) => matchesPattern(pattern, { name }));

      // Assess
      expect(results).toEqual([true, true, false]);
    });
  });

  describe('wildcard', () => {
    it('lets * stand for any run of characters, including none', () => {
      // Prepare
      const pattern = { key: [{ wildcard: 'dir/*.png' }] };

      // Act
      const results = ['dir/a.png', 'dir/.png', 'dir/sub/a.png', 'dir/a.jpg', 'other/a.png'].map((key) =>
        matchesPattern(pattern, { key }),
      );

      // Assess
      expect(results).toEqual([true, true, true, false, false]);
    });

    it('reads \\* as a literal asterisk and \\\\ as a literal backslash', () => {
      // Prepare
      const pattern = { key: [{ wildcard: 'a\\*b\\\\*' }] };

      // Act
      const literal = matchesPattern(pattern, { key: 'a*b\\tail' });
      const notLiteral = matchesPattern(pattern, { key: 'axb\\tail' });

      // Assess
      expect([literal, notLiteral]).toEqual([true, false]);
    });
  });

  describe('anything-but', () => {
    it('matches any present value except the listed strings, null included', () => {
      // Prepare
      const pattern = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };

      // Act
      const results = [{ state: 'running' }, { state: 'stopped' }, { state: null }, { state: 7 }, {}].map(
        (detail) => matchesPattern(pattern, { detail }),
      );

      // Assess
      expect(results).toEqual([true, false, true, true, false]);
    });

    it('excludes listed numbers numerically but not strings that spell them', () => {
      // Prepare
      const pattern = { limit: [{ 'anything-but': [100, 200] }] };

      // Act
      const results = [100.0, 150, '100'].map((limit) => matchesPattern(pattern, { limit }));

      // Assess
      expect(results).toEqual([false, true, true]);
    });

    it('excludes by prefix, suffix or case-insensitive equality', () => {
      // Prepare
      const prefix = { region: [{ 'anything-but': { prefix: 'us-' } }] };
      const suffix = { file: [{ 'anything-but': { suffix: ['.png', '.jpg'] } }] };
      const ignoreCase = { state: [{ 'anything-but': { 'equals-ignore-case': ['stopped'] } }] };

      // Act
      const results = [
        matchesPattern(prefix, { region: 'eu-west-1' }),
        matchesPattern(prefix, { region: 'us-east-1' }),
        matchesPattern(suffix, { file: 'a.gif' }),
        matchesPattern(suffix, { file: 'a.jpg' }),
        matchesPattern(ignoreCase, { state: 'STOPPED' }),
        matchesPattern(ignoreCase, { state: 'running' }),
      ];

      // Assess
      expect(results).toEqual([true, false, true, false, false, true]);
    });

    it('excludes by one wildcard or a list of them, letting non-strings through', () => {
      // Prepare
      const single = { path: [{ 'anything-but': { wildcard: '*/lib/*' } }] };
      const list = { path: [{ 'anything-but': { wildcard: ['*/lib/*', '*.tmp'] } }] };

      // Act
      const results = [
        matchesPattern(single, { path: 'src/lib/a.ts' }),
        matchesPattern(single, { path: 'src/app/a.ts' }),
        matchesPattern(list, { path: 'src/app/a.tmp' }),
        matchesPattern(list, { path: 'src/app/a.ts' }),
        matchesPattern(list, { path: 42 }),
      ];

      // Assess
      expect(results).toEqual([false, true, false, true, true]);
    });
  });

  describe('numeric', () => {
    it.each([
      ['=', [10, 10.0], [9, 11]],
      ['<', [9.999, -3], [10, 11]],
      ['<=', [10, 0], [10.001, 11]],
      ['>', [10.5, 1e3], [10, 9]],
      ['>=', [10, 11], [9.5, -10]],
    ] as const)('%s 10 matches %j and not %j', (operator, matching, failing) => {
      // Prepare
      const pattern = { n: [{ numeric: [operator, 10] }] };

      // Act
      const matched = matching.map((n) => matchesPattern(pattern, { n }));
      const failed = failing.map((n) => matchesPattern(pattern, { n }));

      // Assess
      expect(matched).toEqual([true, true]);
      expect(failed).toEqual([false, false]);
    });

    it('honours open and closed ends of a range', () => {
      // Prepare
      const open = { n: [{ numeric: ['>', 0, '<', 5] }] };
      const closed = { n: [{ numeric: ['>=', 0, '<=', 5] }] };

      // Act
      const results = [0, 2.5, 5].flatMap((n) => [
        matchesPattern(open, { n }),
        matchesPattern(closed, { n }),
      ]);

      // Assess
      expect(results).toEqual([false, true, true, true, false, true]);
    });

    it('only matches JSON numbers within the comparable range', () => {
      // Prepare
      const pattern = { n: [{ numeric: ['>', 0] }] };

      // Act
      const results = ['300', null, 5e9, 5e9 + 1].map((n) => matchesPattern(pattern, { n }));

      // Assess
      expect(results).toEqual([false, false, true, false]);
    });
  });

  describe('exists', () => {
    it('requires a scalar leaf for exists:true', () => {
      // Prepare
      const pattern = { detail: { id: [{ exists: true }] } };

      // Act
      const results = [{ id: 'x' }, { id: null }, { id: { S: 'x' } }, { id: [] }, {}].map((detail) =>
        matchesPattern(pattern, { detail }),
      );

      // Assess
      expect(results).toEqual([true, true, false, false, false]);
    });

    it('matches exists:false when the field is missing or only holds an object', () => {
      // Prepare
      const pattern = { detail: { discount: [{ exists: false }] } };

      // Act
      const results = [{}, { discount: { code: 'X' } }, { discount: [] }, { discount: 0 }].map((detail) =>
        matchesPattern(pattern, { detail }),
      );

      // Assess
      expect(results).toEqual([true, true, true, false]);
    });

    it('ORs exists:false with the other values of the field', () => {
      // Prepare
      const pattern = { detail: { state: [{ 'anything-but': 'closed' }, { exists: false }] } };

      // Act
      const results = [{ state: 'open' }, {}, { state: 'closed' }].map((detail) =>
        matchesPattern(pattern, { detail }),
      );

      // Assess
      expect(results).toEqual([true, true, false]);
    });
  });

  describe('cidr', () => {
    it('matches IPv4 addresses inside the block only', () => {
      // Prepare
      const pattern = { ip: [{ cidr: '10.0.0.0/24' }] };

      // Act
      const results = ['10.0.0.0', '10.0.0.255', '10.0.1.0', '10.0.0.256', 167772161].map((ip) =>
        matchesPattern(pattern, { ip }),
      );

      // Assess
      expect(results).toEqual([true, true, false, false, false]);
    });

    it('matches IPv6 addresses in any notation', () => {
      // Prepare
      const pattern = { ip: [{ cidr: '2001:db8:1234:1a00::/64' }] };

      // Act
      const results = [
        '2001:0db8:1234:1a00:0000:0000:0000:0000',
        '2001:db8:1234:1a00:ffff:ffff:ffff:ffff',
        '2001:db8:1234:1a01::',
        '10.0.0.1',
      ].map((ip) => matchesPattern(pattern, { ip }));

      // Assess
      expect(results).toEqual([true, true, false, false]);
    });

    it('reads an IPv4-mapped IPv6 address as the IPv4 address', () => {
      // Act
      const matched = matchesPattern({ ip: [{ cidr: '192.168.0.0/16' }] }, { ip: '::ffff:c0a8:0101' });

      // Assess
      expect(matched).toBe(true);
    });

    it.each([
      ['colons', ':'.repeat(LARGE_VALUE_LENGTH)],
      ['colons ending in a letter', `${':'.repeat(LARGE_VALUE_LENGTH - 1)}x`],
      ['hex groups', 'a:'.repeat(LARGE_VALUE_LENGTH / 2)],
      ['hex groups ending in a letter', `${'a:'.repeat(LARGE_VALUE_LENGTH / 2 - 1)}ag`],
    ])('answers a 256 KB value of %s at once', (_what, ip) => {
      // Prepare
      const pattern = { ip: [{ cidr: '2001:db8::/32' }, '::1'] };

      // Act
      const started = performance.now();
      const matched = matchesPattern(pattern, { ip });
      const elapsedMs = performance.now() - started;

      // Assess
      expect(matched).toBe(false);
      expect(elapsedMs).toBeLessThan(100);
    });
  });

  describe('$or', () => {
    it('matches when any alternative matches, ANDed with the fields beside it', () => {
      // Prepare
      const pattern = {
        source: ['orders'],
        detail: { $or: [{ total: [{ numeric: ['>', 100] }] }, { vip: [true] }] },
      };

      // Act
      const results = [
        { source: 'orders', detail: { total: 150 } },
        { source: 'orders', detail: { total: 50, vip: true } },
        { source: 'orders', detail: { total: 50 } },
        { source: 'billing', detail: { total: 150 } },
      ].map((event) => matchesPattern(pattern, event));

      // Assess
      expect(results).toEqual([true, true, false, false]);
    });

    it('nests: an alternative may hold its own $or', () => {
      // Prepare
      const pattern = {
        $or: [{ source: ['a'] }, { source: ['b'], $or: [{ detail: { x: [1] } }, { detail: { y: [2] } }] }],
      };

      // Act
      const results = [
        { source: 'a' },
        { source: 'b', detail: { y: 2 } },
        { source: 'b', detail: { x: 2 } },
        { source: 'c', detail: { x: 1 } },
      ].map((event) => matchesPattern(pattern, event));

      // Assess
      expect(results).toEqual([true, true, false, false]);
    });
  });

  describe('inputs', () => {
    it('accepts the pattern and the event as JSON text', () => {
      // Act
      const matched = matchesPattern('{"detail": {"state": ["on"]}}', '{"detail": {"state": "on"}}');

      // Assess
      expect(matched).toBe(true);
    });

    it('keeps the last of a key repeated in pattern text', () => {
      // Prepare
      const pattern = '{"region": [{"prefix": "us-"}], "region": [{"prefix": "eu-"}]}';

      // Act
      const results = ['eu-west-1', 'us-east-1'].map((region) => matchesPattern(pattern, { region }));

      // Assess
      expect(results).toEqual([true, false]);
    });

    it('matches nothing against an event that is not a JSON object', () => {
      // Prepare
      const pattern = { source: [{ exists: false }] };

      // Act
      const results = ['not json', '[1]', ['a'], 42, null].map((event) => matchesPattern(pattern, event));

      // Assess
      expect(results).toEqual([false, false, false, false, false]);
    });

    it('throws InvalidEventPatternError for an invalid pattern', () => {
      // Act
      const match = (): boolean => matchesPattern({ source: 'orders' }, { source: 'orders' });

      // Assess
      expect(match).toThrow(InvalidEventPatternError);
    });
  });
});

describe('validatePattern', () => {
  it('reports the reason in an AWS-shaped message on a named error', () => {
    // Act
    let caught: unknown;
    try {
      validatePattern({ source: 'orders' });
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(InvalidEventPatternError);
    expect(caught).toMatchObject({
      name: 'InvalidEventPatternError',
      message: 'Event pattern is not valid. Reason: "source" must be an object or an array',
    });
  });

  it.each([
    ['a JSON array', '[]', 'Filter is not an object'],
    ['text that is not JSON', '{source', 'Filter is not valid JSON'],
    ['an empty object', { detail: {} }, 'Empty objects are not allowed'],
    ['a nested array value', { source: [['a']] }, 'Match value must be String, number, true, false, or null'],
    ['an unknown operator', { source: [{ contains: 'a' }] }, 'Unrecognized match type contains'],
    [
      'two operators in one object',
      { a: [{ prefix: 'a', suffix: 'b' }] },
      'Only one key allowed in match expression',
    ],
    [
      'exists with a string',
      { a: [{ exists: 'true' }] },
      'exists match pattern must be either true or false.',
    ],
  ])('rejects %s', (_what, pattern, reason) => {
    // Act
    const rejection = rejectionOf(pattern);

    // Assess
    expect(rejection).toBe(reason);
  });

  it.each([
    ['consecutive wildcards', 'a**b', 'Consecutive wildcard characters at pos 2'],
    ['an unknown escape', 'a\\b', 'Invalid escape character at pos 2'],
    [
      'too many wildcards',
      '*a*b*c*d*e*',
      'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    ],
  ])('rejects a wildcard with %s', (_what, wildcard, reason) => {
    // Act
    const rejection = rejectionOf({ key: [{ wildcard }] });

    // Assess
    expect(rejection).toBe(reason);
  });

  it.each([
    [
      'a mixed list',
      ['a', 1],
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    ],
    [
      'an empty list',
      [],
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    ],
    ['a boolean', true, 'Value of anything-but must be an array or single string/number value.'],
    ['an unsupported nested operator', { numeric: ['>', 1] }, 'Unsupported anything-but pattern: numeric'],
    ['an empty prefix', { prefix: '' }, 'Null prefix/suffix not allowed'],
  ])('rejects anything-but with %s', (_what, operand, reason) => {
    // Act
    const rejection = rejectionOf({ key: [{ 'anything-but': operand }] });

    // Assess
    expect(rejection).toBe(reason);
  });

  it.each([
    ['no operator', [], 'Invalid member in numeric match: ]'],
    ['an unknown operator', ['!=', 1], 'Unrecognized numeric range operator: !='],
    ['a string operand', ['>', '1'], 'Value of > must be numeric'],
    ['a range opened with <', ['<', 1, '>', 0], 'Too many elements in numeric expression'],
    ['a wrong upper operator', ['>', 0, '>=', 5], 'Bad numeric range operator: >='],
    ['an empty range', ['>=', 5, '<', 5], 'Bottom must be less than top'],
    ['a third term', ['>', 0, '<', 5, '<', 6], 'Too many terms in numeric range expression'],
    ['a value beyond 5e9', ['<', 6e9], 'Value must be between -5.0E9 and 5.0E9, inclusive'],
    ['seven decimals', ['=', 0.1234567], 'Only values upto 6 decimals are supported'],
  ])('rejects numeric with %s', (_what, operand, reason) => {
    // Act
    const rejection = rejectionOf({ n: [{ numeric: operand }] });

    // Assess
    expect(rejection).toBe(reason);
  });

  it.each([
    ['a /32 IPv4 mask', '10.0.0.1/32', 'IPv4 mask bits must be < 32'],
    ['a /128 IPv6 mask', '::1/128', 'IPv6 mask bits must be < 128'],
    ['an IPv4 octet above 255', '10.0.0.300/8', 'Invalid IP address: 10.0.0.300'],
    ['two IPv6 compressions', '1::2::3/64', 'Invalid IP address: 1::2::3'],
  ])('rejects cidr with %s', (_what, cidr, reason) => {
    // Act
    const rejection = rejectionOf({ ip: [{ cidr }] });

    // Assess
    expect(rejection).toBe(reason);
  });

  it.each([
    ['hex groups', 'a:'.repeat(LARGE_VALUE_LENGTH / 2), 'Invalid'],
    ['hex groups ending in a letter', `${'a:'.repeat(LARGE_VALUE_LENGTH / 2 - 1)}ag`, 'Nonstandard'],
  ])('rejects a 256 KB cidr address of %s at once', (_what, address, adjective) => {
    // Act
    const started = performance.now();
    const rejection = rejectionOf({ ip: [{ cidr: `${address}/64` }] });
    const elapsedMs = performance.now() - started;

    // Assess
    expect(rejection).toBe(`${adjective} IP address: ${address}`);
    expect(elapsedMs).toBeLessThan(100);
  });

  it.each([
    ['an object', { $or: { a: ['x'] } }, 'It must be an Array followed with $or.'],
    [
      'a single alternative',
      { $or: [{ a: ['x'] }] },
      'There must have at least 2 Objects in $or relationship.',
    ],
    [
      'a value alternative',
      { $or: [{ a: ['x'] }, 'b'] },
      'Only JSON object is allowed in array of $or relationship.',
    ],
    [
      'an operator name as a field',
      { $or: [{ a: ['x'] }, { prefix: ['b'] }] },
      'prefix is Ruler reserved fieldName which cannot be used inside $or.',
    ],
  ])('rejects $or given %s', (_what, pattern, reason) => {
    // Act
    const rejection = rejectionOf(pattern);

    // Assess
    expect(rejection).toBe(reason);
  });

  it('accepts every documented operator', () => {
    // Prepare
    const pattern = {
      source: ['orders', null, 5, true, ''],
      detail: {
        a: [
          { prefix: 'a' },
          { prefix: { 'equals-ignore-case': 'A' } },
          { suffix: { 'equals-ignore-case': 'z' } },
        ],
        b: [{ 'equals-ignore-case': 'b' }, { wildcard: 'b*\\*' }, { exists: true }],
        c: [{ 'anything-but': { wildcard: [] } }, { 'anything-but': 0 }, { numeric: ['>', -5e9, '<=', 5e9] }],
        d: [{ cidr: '10.0.0.0/8' }, { cidr: '2001:db8::/32' }],
        $or: [{ e: [1] }, { f: { g: [{ exists: false }] } }],
      },
    };

    // Act
    const rejection = rejectionOf(pattern);

    // Assess
    expect(rejection).toBeUndefined();
  });
});
