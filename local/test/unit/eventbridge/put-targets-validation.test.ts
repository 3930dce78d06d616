import { AwsServiceError } from '../../../src/aws-protocol';
import { checkPutTargetsConstraints, checkTarget } from '../../../src/eventbridge/put-targets-validation';

const queue = 'arn:aws:sqs:us-east-1:000000000000:q';

function rejection(run: () => void): AwsServiceError {
  try {
    run();
  } catch (error) {
    if (error instanceof AwsServiceError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('checkPutTargetsConstraints', () => {
  it('accepts a rule name and targets within the constraints', () => {
    // Act
    const check = () =>
      checkPutTargetsConstraints({ Rule: 'on-order', Targets: [{ Id: 'a.b-c_D9', Arn: queue }] });

    // Assess
    expect(check).not.toThrow();
  });

  it.each([
    [
      'an id of other characters',
      [{ Id: '!@#$@!#$', Arn: queue }],
      "1 validation error detected: Value '!@#$@!#$' at 'targets.1.member.id' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+',
    ],
    [
      'an id over 64 characters',
      [{ Id: 'x'.repeat(65), Arn: queue }],
      `1 validation error detected: Value '${'x'.repeat(65)}' at 'targets.1.member.id' failed to satisfy ` +
        'constraint: Member must have length less than or equal to 64',
    ],
    [
      'an empty id and a missing ARN, in the second target',
      [
        { Id: 'ok', Arn: queue },
        { Id: '', Arn: null },
      ],
      "2 validation errors detected: Value '' at 'targets.2.member.id' failed to satisfy constraint: " +
        "Member must have length greater than or equal to 1; Value null at 'targets.2.member.arn' failed " +
        'to satisfy constraint: Member must not be null',
    ],
    [
      'no targets',
      [],
      "1 validation error detected: Value '[]' at 'targets' failed to satisfy constraint: " +
        'Member must have length greater than or equal to 1',
    ],
  ])('refuses %s, naming every violation as AWS does', (_case, targets, message) => {
    // Act
    const error = rejection(() => checkPutTargetsConstraints({ Rule: 'on-order', Targets: targets }));

    // Assess
    expect(error).toMatchObject({ code: 'ValidationException', message });
  });

  it('reports a missing rule and missing targets together', () => {
    // Act
    const error = rejection(() => checkPutTargetsConstraints({}));

    // Assess
    expect(error.message).toBe(
      "2 validation errors detected: Value null at 'rule' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'targets' failed to satisfy constraint: Member must not be null",
    );
  });
});

describe('checkTarget', () => {
  it('refuses InputPath together with InputTransformer', () => {
    // Act
    const error = rejection(() =>
      checkTarget({
        id: 't-1',
        arn: queue,
        inputPath: '$.detail',
        inputTransformer: { inputTemplate: '{"a": 1}' },
      }),
    );

    // Assess
    expect(error.message).toBe(
      'Only one of Input, InputPath, or InputTransformer must be provided for target t-1.',
    );
  });

  it('names the target and the placeholder of an InputTemplate that uses an undefined variable', () => {
    // Act
    const error = rejection(() =>
      checkTarget({
        id: 't-1',
        arn: queue,
        inputTransformer: { inputPathsMap: { a: '$.detail' }, inputTemplate: '"<a> and <notdefinedkey>"' },
      }),
    );

    // Assess
    expect(error).toMatchObject({
      code: 'ValidationException',
      message: 'InputTemplate for target t-1 contains invalid placeholder notdefinedkey.',
    });
  });

  it('checks the id of a target that does not come through the API', () => {
    // Act
    const error = rejection(() => checkTarget({ id: 'a b', arn: queue }));

    // Assess
    expect(error.message).toContain("Value 'a b' at 'id' failed to satisfy constraint");
  });
});
