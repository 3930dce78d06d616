import { definedProps } from '../../../shared/objects/defined-props';

describe('definedProps', () => {
  test('keeps the defined properties, falsy ones included, and leaves the undefined ones out', () => {
    const props = definedProps({ a: 1, b: undefined, c: '', d: 0, e: null, f: false });
    expect(props).toEqual({ a: 1, c: '', d: 0, e: null, f: false });
    expect(Object.keys(props)).not.toContain('b');
  });

  test('spreads to nothing when every property is undefined', () => {
    expect({ kept: true, ...definedProps({ logger: undefined }) }).toEqual({ kept: true });
  });
});
