import { App } from 'aws-cdk-lib';
import { PlatformStack } from './stacks/platform-stack';

export function buildApp(app: App = new App()): App {
  new PlatformStack(app, 'ShopPlatform', { description: 'Order platform: event bus and public API' });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
