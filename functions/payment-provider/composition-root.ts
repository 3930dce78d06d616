/**
 * Builds each function of the simulated card processor once per container, from its own configuration
 * only. Handlers call one of these at module load: `export const handler = makeXxxHandler(xxxDependencies())`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { newUlid } from '../../shared/ids/ids';
import { tracedClient } from '../../shared/observability/tracer';
import { DynamoDbLedger } from './adapters/dynamodb-ledger';
import { makeCreateCharge } from './application/create-charge';
import { makeCreateRefund } from './application/create-refund';
import { makeGetCharge } from './application/get-charge';
import { makeListCharges } from './application/list-charges';
import { loadCreateChargeConfig, loadLedgerConfig, loadListChargesConfig } from './config';
import { CHARGE_ID_PREFIX, REFUND_ID_PREFIX } from './domain/charge';
import type { CreateChargeHandlerDependencies } from './handlers/create-charge';
import type { CreateRefundHandlerDependencies } from './handlers/create-refund';
import type { GetChargeHandlerDependencies } from './handlers/get-charge';
import type { ListChargesHandlerDependencies } from './handlers/list-charges';

let dynamoDbClient: DynamoDBClient | undefined;
function dynamoDb(): DynamoDBClient {
  dynamoDbClient ??= tracedClient(new DynamoDBClient({}));
  return dynamoDbClient;
}

const now = (): Date => new Date();

export function createChargeDependencies(): CreateChargeHandlerDependencies {
  const config = loadCreateChargeConfig();
  return {
    createCharge: makeCreateCharge({
      ledger: new DynamoDbLedger({ client: dynamoDb(), tableName: config.ledgerTable }),
      newChargeId: () => `${CHARGE_ID_PREFIX}${newUlid()}`,
      now,
      hangMs: config.hangMs,
    }),
  };
}

export function createRefundDependencies(): CreateRefundHandlerDependencies {
  const config = loadLedgerConfig();
  return {
    createRefund: makeCreateRefund({
      ledger: new DynamoDbLedger({ client: dynamoDb(), tableName: config.ledgerTable }),
      newRefundId: () => `${REFUND_ID_PREFIX}${newUlid()}`,
      now,
    }),
  };
}

export function getChargeDependencies(): GetChargeHandlerDependencies {
  const config = loadLedgerConfig();
  return {
    getCharge: makeGetCharge({
      ledger: new DynamoDbLedger({ client: dynamoDb(), tableName: config.ledgerTable }),
    }),
  };
}

export function listChargesDependencies(): ListChargesHandlerDependencies {
  const config = loadListChargesConfig();
  return {
    listCharges: makeListCharges({
      ledger: new DynamoDbLedger({
        client: dynamoDb(),
        tableName: config.ledgerTable,
        orderIndexName: config.orderIndexName,
      }),
    }),
  };
}
