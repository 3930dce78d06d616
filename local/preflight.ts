import { assertJavaAvailable, JavaMissingError } from './java-runtime';

/** Run before `npm test` and `npm start`: fail at once, and say how to fix it, when Java is missing. */
try {
  assertJavaAvailable();
} catch (error) {
  if (error instanceof JavaMissingError) {
    process.stderr.write(`\n${error.message}\n\n`);
    process.exit(1);
  }
  throw error;
}
