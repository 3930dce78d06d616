import { spawnSync } from 'node:child_process';

export const REQUIRED_JAVA_MAJOR = 17;

export class JavaMissingError extends Error {
  constructor(detail: string) {
    super(
      `${detail}\n` +
        `DynamoDB Local (the local cloud's database engine) needs Java ${REQUIRED_JAVA_MAJOR} or newer on the PATH.\n` +
        '  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS:          brew install openjdk@17\n' +
        '  Windows:        winget install Microsoft.OpenJDK.17\n' +
        'Or set JAVA_HOME to a Java 17+ installation.',
    );
    this.name = 'JavaMissingError';
  }
}

/** The `java` executable to run: `$JAVA_HOME/bin/java` when set, else the one on the PATH. */
export function javaExecutable(): string {
  const home = process.env.JAVA_HOME;
  return home ? `${home}/bin/java` : 'java';
}

/** Fails fast, with install instructions, when no usable Java is found. Returns the major version. */
export function assertJavaAvailable(): number {
  const result = spawnSync(javaExecutable(), ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new JavaMissingError(`Java was not found (${javaExecutable()} -version failed).`);
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr + result.stdout);
  const first = Number(match?.[1]);
  // Java 8 and older report "1.8.0"; from 9 on the first number is the major version.
  const major = first === 1 ? Number(match?.[2]) : first;
  if (!Number.isFinite(major) || major < REQUIRED_JAVA_MAJOR) {
    throw new JavaMissingError(`Found Java ${match?.[0] ?? 'of an unknown version'}, which is too old.`);
  }
  return major;
}
