import { defaultProvider } from '../../../shared/aws/lambda-credentials';

describe('lambda credentials (the bundles’ stand-in for the SDK’s default chain)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('are the role’s, from the environment Lambda sets', async () => {
    process.env['AWS_ACCESS_KEY_ID'] = 'ASIAEXAMPLE';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'secret';
    process.env['AWS_SESSION_TOKEN'] = 'session';
    await expect(defaultProvider()()).resolves.toMatchObject({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'session',
    });
  });

  test('fail plainly without them: no file, SSO or metadata service is looked at', async () => {
    delete process.env['AWS_ACCESS_KEY_ID'];
    delete process.env['AWS_SECRET_ACCESS_KEY'];
    await expect(defaultProvider()()).rejects.toThrow(/environment variable credentials/i);
  });
});
