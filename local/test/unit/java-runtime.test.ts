import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { assertJavaAvailable, JavaMissingError, REQUIRED_JAVA_MAJOR } from '../../src/java-runtime';

describe('Java preflight', () => {
  const originalJavaHome = process.env.JAVA_HOME;
  afterEach(() => {
    if (originalJavaHome === undefined) delete process.env.JAVA_HOME;
    else process.env.JAVA_HOME = originalJavaHome;
  });

  test('finds this machine’s Java and reports its major version', () => {
    delete process.env.JAVA_HOME;
    expect(assertJavaAvailable()).toBeGreaterThanOrEqual(REQUIRED_JAVA_MAJOR);
  });

  test('fails with install instructions when no Java can be run', () => {
    process.env.JAVA_HOME = '/nonexistent-java-home';
    expect(() => assertJavaAvailable()).toThrow(JavaMissingError);
    expect(() => assertJavaAvailable()).toThrow(/apt-get install -y openjdk-17-jre-headless/);
  });

  test.each([['check'], ['start']])(
    '`local-cloud %s` (what `npm test` and `npm start` run first) stops at once, exit code 1, when Java is missing',
    (command) => {
      const bin = path.resolve(__dirname, '../../bin/local-cloud.js');
      const result = spawnSync(process.execPath, [bin, command], {
        env: { ...process.env, JAVA_HOME: '/nonexistent-java-home' },
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('needs Java 17 or newer');
    },
  );

  test('`local-cloud check` exits 0 on this machine', () => {
    const bin = path.resolve(__dirname, '../../bin/local-cloud.js');
    const result = spawnSync(process.execPath, [bin, 'check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
