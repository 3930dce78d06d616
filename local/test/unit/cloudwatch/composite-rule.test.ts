import type { AlarmState } from '../../../src/cloudwatch/alarm-evaluation';
import { alarmsOfRule, evaluateRule, parseAlarmRule } from '../../../src/cloudwatch/composite-rule';

const states: Readonly<Record<string, AlarmState>> = {
  errors: 'ALARM',
  latency: 'OK',
  'queue-depth': 'INSUFFICIENT_DATA',
  'with space': 'ALARM',
};
const holds = (rule: string) => evaluateRule(parseAlarmRule(rule), (name) => states[name]);

describe('composite alarm rules', () => {
  it.each([
    ['ALARM(errors)', true],
    ['OK(errors)', false],
    ['INSUFFICIENT_DATA(queue-depth)', true],
    ['ALARM(errors) AND ALARM(latency)', false],
    ['ALARM(errors) OR ALARM(latency)', true],
    ['NOT ALARM(latency)', true],
    ['TRUE AND NOT FALSE', true],
    // AND binds tighter than OR
    ['ALARM(latency) AND ALARM(errors) OR OK(latency)', true],
    ['ALARM(latency) AND (ALARM(errors) OR OK(latency))', false],
    ['ALARM("with space")', true],
    ['ALARM("arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors")', true],
    ['ALARM(arn:aws:cloudwatch:us-east-1:000000000000:alarm:latency)', false],
  ])('%s is %s', (rule, expected) => {
    // Act & Assess
    expect(holds(rule)).toBe(expected);
  });

  it('names each alarm once, by name', () => {
    // Act & Assess
    expect(
      alarmsOfRule(
        parseAlarmRule('ALARM(a) OR (OK(a) AND ALARM("arn:aws:cloudwatch:us-east-1:000000000000:alarm:b"))'),
      ),
    ).toEqual(['a', 'b']);
  });

  it.each([
    ['', /empty/],
    ['ALARM(errors', /not closed/],
    ['ALARM()', /must name an alarm/],
    ['MAYBE(errors)', /'MAYBE' is not ALARM/],
    ['ALARM(errors) AND', /ends too early/],
    ['ALARM(errors) ALARM(latency)', /after the end/],
  ])('refuses %j with InvalidParameterValue', (rule, message) => {
    // Act & Assess
    expect(() => parseAlarmRule(rule)).toThrow(message);
  });
});
