/** The `-c key=value` pairs of a command line, as a CDK context object (as `cdk -c` reads them). */
export function contextValues(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const equals = pair.indexOf('=');
      if (equals < 1) throw new Error(`--context takes key=value, not "${pair}".`);
      return [pair.slice(0, equals), pair.slice(equals + 1)];
    }),
  );
}
