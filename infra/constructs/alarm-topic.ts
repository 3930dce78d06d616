import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue';

export interface AlarmTopicProps {
  /** @default - a name CloudFormation generates */
  readonly topicName?: string;
  /** @default 'Shop alarms' */
  readonly displayName?: string;
  /**
   * An address that receives every notification (it must confirm the subscription first).
   * @default - no subscription: operators subscribe what they use (email, chat, paging) themselves
   */
  readonly email?: string;
}

/**
 * Where the app's CloudWatch alarms notify: an SNS topic that takes publications over TLS only and
 * from this account's CloudWatch alarms (besides the account's own principals, through IAM).
 *
 * The topic is not encrypted at rest: CloudWatch cannot publish to a topic under SNS's AWS managed key,
 * and what it publishes is an alarm's name, state and reason, no customer data. The optional email
 * subscription keeps the notifications it could not deliver on a dead-letter queue.
 */
export class AlarmTopic extends sns.Topic {
  /** Notifications the email subscription could not deliver; only with `email`. */
  public readonly deliveryDeadLetterQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    if (props.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(props.email)) {
      throw new Error(
        `AlarmTopic ${id}: email must be an address such as ops@example.com, not '${props.email}'.`,
      );
    }
    super(scope, id, {
      topicName: props.topicName,
      displayName: props.displayName ?? 'Shop alarms',
      enforceSSL: true,
    });
    const stack = Stack.of(this);
    // A topic policy replaces SNS's default one: CloudWatch's alarms need their own statement.
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisAccountsAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.email !== undefined) {
      this.deliveryDeadLetterQueue = new DeadLetterQueue(this, 'DeliveryDeadLetterQueue');
      this.addSubscription(
        new subscriptions.EmailSubscription(props.email, { deadLetterQueue: this.deliveryDeadLetterQueue }),
      );
    }
  }
}
