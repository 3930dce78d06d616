import { ASSEMBLY_DIR, cdkCommands } from '../../../infra/ops/deploy-aws';
import { contextValues } from '../../../infra/ops/cli';

describe('deploy:aws', () => {
  test('synthesizes with the context given and the canaries held, and deploys that very assembly', () => {
    // Act
    const commands = cdkCommands(contextValues(['shop:release=r42', 'shop:sagaStyle=choreographed']), {
      'ShopOrders/CreateOrderFunction': '7',
    });

    // Assess
    expect(commands).toEqual({
      synth: [
        'cdk',
        'synth',
        '--quiet',
        '--output',
        ASSEMBLY_DIR,
        '-c',
        'shop:release=r42',
        '-c',
        'shop:sagaStyle=choreographed',
        '-c',
        'shop:liveVersions={"ShopOrders/CreateOrderFunction":"7"}',
      ],
      deploy: ['cdk', 'deploy', '--all', '--app', ASSEMBLY_DIR, '--require-approval', 'never'],
    });
  });

  test('a context pair keeps what follows its first "=", and one without a key is refused', () => {
    // Act, Assess
    expect(contextValues(['shop:liveVersions={"a":"1"}', 'k=a=b'])).toEqual({
      'shop:liveVersions': '{"a":"1"}',
      k: 'a=b',
    });
    expect(() => contextValues(['=x'])).toThrow(/key=value/);
  });
});
