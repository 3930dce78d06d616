import { AwsServiceError } from '../../../src/aws-protocol';
import {
  attributesSize,
  md5OfAttributes,
  readMessageAttributes,
  selectMessageAttributes,
  type SqsMessageAttributes,
} from '../../../src/sqs/message-attributes';

/** The message of the AWS-recorded filter cases: three string attributes. */
const ATTRIBUTES: SqsMessageAttributes = {
  'Help.Me': { DataType: 'String', StringValue: 'Me' },
  Hello: { DataType: 'String', StringValue: 'There' },
  General: { DataType: 'String', StringValue: 'Kenobi' },
};

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to fail, but it succeeded');
}

describe('selectMessageAttributes', () => {
  it.each([['All'], ['*'], ['.*']])('selects every attribute for %s', (name) => {
    // Act
    const selected = selectMessageAttributes(ATTRIBUTES, [name]);

    // Assess
    expect(selected).toEqual(ATTRIBUTES);
  });

  it('selects by prefix without the dot of `.*`', () => {
    // Act
    const selected = selectMessageAttributes(ATTRIBUTES, ['Hel.*']);

    // Assess
    expect(Object.keys(selected).sort()).toEqual(['Hello', 'Help.Me']);
  });

  it('selects exact names and ignores names no attribute has', () => {
    // Act
    const selected = selectMessageAttributes(ATTRIBUTES, ['Foo', 'Hello']);

    // Assess
    expect(selected).toEqual({ Hello: { DataType: 'String', StringValue: 'There' } });
  });

  it.each([[[]], [['AWS.']], [['..foo']], [['Foo', 'Help']]])(
    'selects nothing, without failing, for %j',
    (names) => {
      // Act
      const selected = selectMessageAttributes(ATTRIBUTES, names);

      // Assess
      expect(selected).toEqual({});
    },
  );
});

describe('md5OfAttributes', () => {
  it('digests the selected subset as AWS does (recorded digests)', () => {
    // Act
    const all = md5OfAttributes(ATTRIBUTES);
    const twoByName = md5OfAttributes(selectMessageAttributes(ATTRIBUTES, ['Hello', 'General']));
    const oneByName = md5OfAttributes(selectMessageAttributes(ATTRIBUTES, ['Foo', 'Hello']));
    const byPrefix = md5OfAttributes(selectMessageAttributes(ATTRIBUTES, ['Hel.*']));

    // Assess
    expect(all).toBe('4c360f3fdafd970e05fae2f149d997f5');
    expect(twoByName).toBe('fca026605781cb4126a1e9044df24232');
    expect(oneByName).toBe('a311262e065454b75da111d535b8dacd');
    expect(byPrefix).toBe('83fee93c1bcd8b9a5a923ffacdc636c7');
  });

  it('digests a binary attribute by its bytes (recorded digest)', () => {
    // Prepare
    const bytes = Buffer.from(
      'traceparent\u001e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01',
      'latin1',
    );

    // Act
    const digest = md5OfAttributes({ attr1: { DataType: 'Binary', BinaryValue: bytes.toString('base64') } });

    // Assess
    expect(digest).toBe('8cbe4db156db8a94db8b801b7addb984');
  });
});

describe('readMessageAttributes', () => {
  it('refuses an empty value, naming the attribute and its type', () => {
    // Act
    const error = errorOf(() =>
      readMessageAttributes({ ErrorDetails: { DataType: 'String', StringValue: '' } }, 'MessageAttributes'),
    );

    // Assess
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({
      code: 'InvalidParameterValueException',
      queryErrorCode: 'InvalidParameterValue',
      message: "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.",
    });
  });

  it.each([['String'], ['Number']])('refuses characters a body may not have in a %s value', (dataType) => {
    // Act
    const error = errorOf(() =>
      readMessageAttributes(
        { attr1: { DataType: dataType, StringValue: 'Invalid-\b,\u000b' } },
        'MessageAttributes',
      ),
    );

    // Assess
    expect(error).toMatchObject({ queryErrorCode: 'InvalidParameterValue' });
  });

  it('keeps tab, line feed, carriage return and characters beyond the BMP', () => {
    // Act
    const read = readMessageAttributes(
      { note: { DataType: 'String', StringValue: 'a\tb\nc\rd 😀' } },
      'MessageAttributes',
    );

    // Assess
    expect(read).toEqual({ note: { DataType: 'String', StringValue: 'a\tb\nc\rd 😀' } });
  });
});

describe('attributesSize', () => {
  it('counts names, data types and values in bytes, binary values decoded', () => {
    // Act
    const size = attributesSize({
      k: { DataType: 'String', StringValue: 'x' },
      é: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]).toString('base64') },
    });

    // Assess: 1 + 6 + 1, then 2 + 6 + 3.
    expect(size).toBe(19);
  });
});
