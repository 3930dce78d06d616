import { App } from 'aws-cdk-lib';
import { InventoryStack } from './stacks/inventory-stack';
import { OrdersStack } from './stacks/orders-stack';
import { PlatformStack } from './stacks/platform-stack';

export function buildApp(app: App = new App()): App {
  const platform = new PlatformStack(app, 'ShopPlatform', {
    description: 'Order platform: event bus and public API',
  });
  const inventory = new InventoryStack(app, 'ShopInventory', {
    description: 'Inventory: products and stock, on the shared API and bus',
    api: platform.api,
    bus: platform.bus,
  });
  const orders = new OrdersStack(app, 'ShopOrders', {
    description: 'Orders: event-sourced commands, outbox, projection and queries, on the shared API and bus',
    api: platform.api,
    bus: platform.bus,
  });
  // Orders price items through inventory's API; deploying after it also keeps the two stacks'
  // deployments of the shared stage from racing.
  orders.addStackDependency(inventory);
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
