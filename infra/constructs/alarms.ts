import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The worker's log line for a failed run; the metric filter counts lines containing it. */
export const RUN_FAILED_PATTERN = '"run failed"';
export const METRIC_NAMESPACE = 'Drover';

export interface AlarmsProps {
  deadLetterQueue: sqs.IQueue;
  workerLogGroup: logs.ILogGroup;
  /** Address subscribed to the alarm topic; a CloudFormation expression may make it empty. */
  alarmEmail?: string;
  /** Whether to subscribe it (a CloudFormation condition when the address is a parameter). */
  subscribeWhen?: (subscription: sns.CfnSubscription) => void;
}

/** Someone hears about messages that never started a run, and about runs that failed. */
export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly deadLetters: cloudwatch.Alarm;
  readonly failedRuns: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'drover alarms', enforceSSL: true });
    if (props.alarmEmail !== undefined) {
      const subscription = new sns.CfnSubscription(this, 'Email', { topicArn: this.topic.topicArn, protocol: 'email', endpoint: props.alarmEmail });
      props.subscribeWhen?.(subscription);
    }
    const notify = new actions.SnsAction(this.topic);

    this.deadLetters = new cloudwatch.Alarm(this, 'DeadLetters', {
      alarmDescription: 'Upload notifications the trigger could not turn into a run (see the trigger Lambda logs); redrive them once fixed.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const filter = new logs.MetricFilter(this, 'RunFailedFilter', {
      logGroup: props.workerLogGroup,
      filterPattern: logs.FilterPattern.literal(RUN_FAILED_PATTERN),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'RunsFailed',
      metricValue: '1',
      defaultValue: 0,
    });
    this.failedRuns = new cloudwatch.Alarm(this, 'FailedRuns', {
      alarmDescription: 'A credit-check run failed: the worker logged "run failed" (search the worker log group for the run id).',
      metric: filter.metric({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.deadLetters, this.failedRuns]) alarm.addAlarmAction(notify);
  }
}
