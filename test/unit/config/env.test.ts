import * as z from 'zod';
import { currentTraceHeader, parseEnv, requiredVariable } from '../../../shared/config/env';

describe('parseEnv', () => {
  const schema = z.object({ TABLE: requiredVariable, BUS: requiredVariable });

  test('answers the parsed variables', () => {
    expect(parseEnv('Shop', schema, { TABLE: 't', BUS: 'b', OTHER: 'x' })).toEqual({ TABLE: 't', BUS: 'b' });
  });

  test('names every variable that is missing or empty, and the context', () => {
    expect(() => parseEnv('Shop', schema, { BUS: '' })).toThrow(
      'Shop configuration: TABLE is not set; BUS is empty.',
    );
  });

  test('a variable that is set but malformed gets the schema’s own message', () => {
    const port = z.object({ PORT: z.coerce.number().int({ error: 'must be a whole number' }) });
    expect(() => parseEnv('Shop', port, { PORT: '1.5' })).toThrow(
      'Shop configuration: PORT must be a whole number.',
    );
  });
});

describe('currentTraceHeader', () => {
  test('reads the invocation’s X-Ray header, absent when unset or empty', () => {
    expect(currentTraceHeader({ _X_AMZN_TRACE_ID: 'Root=1-a;Sampled=1' })).toBe('Root=1-a;Sampled=1');
    expect(currentTraceHeader({ _X_AMZN_TRACE_ID: '' })).toBeUndefined();
    expect(currentTraceHeader({})).toBeUndefined();
  });
});
