import { App } from 'aws-cdk-lib';
import { appSettings, SETTINGS_CONTEXT_KEYS } from '../../infra/app-settings';

const settingsOf = (context: Record<string, unknown>) => appSettings(new App({ context }).node);

describe('appSettings', () => {
  test('reads the saga style of new orders from shop:sagaStyle, leaving it to the stack when absent', () => {
    expect(settingsOf({ [SETTINGS_CONTEXT_KEYS.sagaStyle]: 'choreographed' }).sagaStyle).toBe(
      'choreographed',
    );
    expect(settingsOf({}).sagaStyle).toBeUndefined();
  });

  test.each(['improvised', '', 3])('refuses a saga style of %p, naming the key and the styles', (value) => {
    expect(() => settingsOf({ [SETTINGS_CONTEXT_KEYS.sagaStyle]: value })).toThrow(
      /Context shop:sagaStyle must be one of orchestrated, choreographed/,
    );
  });

  test.each<[string | undefined, string | undefined, boolean]>([
    [undefined, undefined, false],
    ['dev', undefined, false],
    ['local', undefined, true],
    ['prod', undefined, true],
    ['dev', 'on', true],
    ['prod', 'off', false],
  ])(
    'stage %s, shop:reservedConcurrency %s: reserved concurrency %p (off where a new account’s quota refuses it)',
    (stage, reserved, expected) => {
      const context: Record<string, string> = {};
      if (stage !== undefined) context[SETTINGS_CONTEXT_KEYS.stage] = stage;
      if (reserved !== undefined) context[SETTINGS_CONTEXT_KEYS.reservedConcurrency] = reserved;
      expect(settingsOf(context).reservedConcurrency).toBe(expected);
    },
  );

  test('refuses a reserved concurrency setting other than on or off', () => {
    expect(() => settingsOf({ [SETTINGS_CONTEXT_KEYS.reservedConcurrency]: 'true' })).toThrow(
      /Context shop:reservedConcurrency must be one of on, off/,
    );
  });

  test('reads the API throttle from shop:apiRateLimit and shop:apiBurstLimit', () => {
    expect(
      settingsOf({ [SETTINGS_CONTEXT_KEYS.apiRateLimit]: '20', [SETTINGS_CONTEXT_KEYS.apiBurstLimit]: 40 }),
    ).toMatchObject({ apiRateLimit: 20, apiBurstLimit: 40 });
    expect(() => settingsOf({ [SETTINGS_CONTEXT_KEYS.apiRateLimit]: '0' })).toThrow(
      /shop:apiRateLimit must be a positive whole number/,
    );
  });

  test('reads the commands’ throttle from shop:commandRateLimit and shop:commandBurstLimit', () => {
    expect(
      settingsOf({
        [SETTINGS_CONTEXT_KEYS.commandRateLimit]: '20',
        [SETTINGS_CONTEXT_KEYS.commandBurstLimit]: 40,
      }),
    ).toMatchObject({ commandRateLimit: 20, commandBurstLimit: 40 });
    expect(() => settingsOf({ [SETTINGS_CONTEXT_KEYS.commandRateLimit]: '0' })).toThrow(
      /shop:commandRateLimit must be a positive whole number/,
    );
  });

  test('reads whole numbers from the CLI’s strings and refuses anything else', () => {
    expect(
      settingsOf({ [SETTINGS_CONTEXT_KEYS.approvalDeadlineSeconds]: '60' }).approvalDeadline?.toSeconds(),
    ).toBe(60);
    expect(() => settingsOf({ [SETTINGS_CONTEXT_KEYS.approvalThresholdCents]: '1.5' })).toThrow(
      /shop:approvalThresholdCents must be a positive whole number/,
    );
  });

  test('reads the alarm email and thresholds, none by default', () => {
    expect(settingsOf({})).toMatchObject({
      alarmEmail: undefined,
      apiLatencyP99: undefined,
      functionErrorRatePercent: undefined,
    });
    const settings = settingsOf({
      [SETTINGS_CONTEXT_KEYS.alarmEmail]: 'ops@example.com',
      [SETTINGS_CONTEXT_KEYS.apiLatencyP99Ms]: '1500',
      [SETTINGS_CONTEXT_KEYS.apiServerErrorRatePercent]: 2,
      [SETTINGS_CONTEXT_KEYS.functionErrorRatePercent]: '10',
      [SETTINGS_CONTEXT_KEYS.queueMessageAgeSeconds]: '600',
    });
    expect(settings).toMatchObject({
      alarmEmail: 'ops@example.com',
      apiServerErrorRatePercent: 2,
      functionErrorRatePercent: 10,
    });
    expect(settings.apiLatencyP99?.toMilliseconds()).toBe(1500);
    expect(settings.queueMessageAge?.toSeconds()).toBe(600);
  });

  test('refuses a percentage above 100 and an alarm email that is no address', () => {
    expect(() => settingsOf({ [SETTINGS_CONTEXT_KEYS.functionErrorRatePercent]: '101' })).toThrow(
      /shop:functionErrorRatePercent is a percentage/,
    );
    expect(() => settingsOf({ [SETTINGS_CONTEXT_KEYS.alarmEmail]: 'ops' })).toThrow(
      /shop:alarmEmail must be an email address/,
    );
  });
});
