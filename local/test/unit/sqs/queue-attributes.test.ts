import {
  applyQueueAttributes,
  defaultSettings,
  isFifoRequested,
  MAX_MESSAGE_BYTES,
  settingAttribute,
  type QueueSettings,
  type RedrivePolicy,
} from '../../../src/sqs/queue-attributes';

const noRedrive = (): RedrivePolicy => {
  throw new Error('no redrive policy expected');
};

function apply(settings: QueueSettings, attributes: Record<string, string>): QueueSettings {
  return applyQueueAttributes(settings, attributes, noRedrive);
}

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to fail, but it succeeded');
}

describe('defaultSettings', () => {
  it("has AWS's defaults: 1 MiB messages and SQS-owned encryption", () => {
    // Act
    const settings = defaultSettings(false);

    // Assess
    expect(settingAttribute(settings, 'MaximumMessageSize')).toBe(String(MAX_MESSAGE_BYTES));
    expect(settingAttribute(settings, 'SqsManagedSseEnabled')).toBe('true');
    expect(settingAttribute(settings, 'FifoQueue')).toBeUndefined();
  });

  it('shows the FIFO attributes of a FIFO queue', () => {
    // Act
    const settings = defaultSettings(true);

    // Assess
    expect(
      ['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit'].map((name) =>
        settingAttribute(settings, name),
      ),
    ).toEqual(['true', 'false', 'queue', 'perQueue']);
  });
});

describe('applyQueueAttributes', () => {
  it.each([
    ['FifoQueue', 'false'],
    ['FifoQueue', 'true'],
    ['ContentBasedDeduplication', 'false'],
  ])('refuses %s on a standard queue as an unknown attribute', (name, value) => {
    // Act
    const error = errorOf(() => apply(defaultSettings(false), { [name]: value }));

    // Assess
    expect(error).toMatchObject({
      code: 'InvalidAttributeName',
      queryErrorCode: 'InvalidAttributeName',
      message: `Unknown Attribute ${name}.`,
    });
  });

  it.each([
    ['DeduplicationScope', 'queue'],
    ['FifoThroughputLimit', 'perQueue'],
  ])('refuses %s on a standard queue, saying it needs a FIFO queue', (name, value) => {
    // Act
    const error = errorOf(() => apply(defaultSettings(false), { [name]: value }));

    // Assess
    expect(error).toMatchObject({
      code: 'InvalidAttributeName',
      message: `You can specify the ${name} only when FifoQueue is set to true.`,
    });
  });

  it('refuses to turn a FIFO queue into a standard one, and accepts FifoQueue true again', () => {
    // Prepare
    const settings = defaultSettings(true);

    // Act
    const again = apply(settings, { FifoQueue: 'True' });
    const change = errorOf(() => apply(settings, { FifoQueue: 'false' }));

    // Assess
    expect(settingAttribute(again, 'FifoQueue')).toBe('true');
    expect(change).toMatchObject({
      code: 'InvalidAttributeValue',
      message: 'Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.',
    });
  });

  it('reads ContentBasedDeduplication without regard to case and checks the FIFO enumerations', () => {
    // Act
    const settings = apply(defaultSettings(true), {
      ContentBasedDeduplication: 'True',
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
    });
    const badScope = errorOf(() => apply(defaultSettings(true), { DeduplicationScope: 'everywhere' }));

    // Assess
    expect(settings.fifo).toEqual({
      contentBasedDeduplication: true,
      deduplicationScope: 'messageGroup',
      fifoThroughputLimit: 'perMessageGroupId',
    });
    expect(badScope).toMatchObject({ code: 'InvalidAttributeValue' });
  });

  it('turns SQS-owned encryption off when a KMS key is chosen', () => {
    // Act
    const settings = apply(defaultSettings(false), {
      KmsMasterKeyId: 'testKeyId',
      KmsDataKeyReusePeriodSeconds: '6000',
    });

    // Assess
    expect(
      ['KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'SqsManagedSseEnabled'].map((name) =>
        settingAttribute(settings, name),
      ),
    ).toEqual(['testKeyId', '6000', 'false']);
  });

  it('accepts MaximumMessageSize up to 1 MiB and no further', () => {
    // Act
    const atLimit = apply(defaultSettings(false), { MaximumMessageSize: String(MAX_MESSAGE_BYTES) });
    const beyond = errorOf(() =>
      apply(defaultSettings(false), { MaximumMessageSize: String(MAX_MESSAGE_BYTES + 1) }),
    );

    // Assess
    expect(atLimit.maximumMessageSize).toBe(MAX_MESSAGE_BYTES);
    expect(beyond).toMatchObject({ code: 'InvalidAttributeValue' });
  });
});

describe('isFifoRequested', () => {
  it('reads FifoQueue without regard to case', () => {
    // Prepare
    const requests: Record<string, string>[] = [{ FifoQueue: 'True' }, { FifoQueue: 'false' }, {}];

    // Act
    const fifo = requests.map((attributes) => isFifoRequested(attributes));

    // Assess
    expect(fifo).toEqual([true, false, false]);
  });
});
