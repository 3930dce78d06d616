/** Command-line helpers of the operations commands (`deploy:local`, `deploy:aws`). */

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

/**
 * Runs a command's `main` when its module is the one node started (not when a test imports it): a
 * failure's message on stderr, exit code 2 (1 is the command's own "no").
 */
export function runCommand(module: NodeJS.Module, main: () => Promise<void>): void {
  if (require.main !== module) return;
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  });
}

/** The options both deploy commands take: `-c key=value` (repeated), `--bake <seconds>`, `--no-rollout`. */
export const DEPLOY_OPTIONS = {
  context: { type: 'string', short: 'c', multiple: true },
  bake: { type: 'string' },
  'no-rollout': { type: 'boolean', default: false },
} as const;
