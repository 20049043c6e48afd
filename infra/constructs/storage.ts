import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface StorageProps {
  /** Lambda timeout the queue's visibility timeout is fitted to (six times it, as AWS advises). */
  consumerTimeout: Duration;
  /** Receives before a message goes to the dead-letter queue (default 5). */
  maxReceiveCount?: number;
}

/** Lifecycle of each prefix, in days. */
export const RETENTION_DAYS = { reports: 365, processed: 90, failed: 180, tmp: 2, noncurrent: 30 } as const;

/**
 * The input bucket and the trigger queue it notifies. Uploads land under `incoming/`; the
 * workflow moves them to `processed/` or `failed/`, writes `reports/`, and keeps a run's
 * scratch under `tmp/<runId>/` (deleted by cleanup; the short expiry catches a run that
 * never reached it).
 */
export class Storage extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Input', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'input/',
      // Customer data: a stack deletion must not take it along.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'abort-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { id: 'expire-noncurrent', noncurrentVersionExpiration: Duration.days(RETENTION_DAYS.noncurrent) },
        { id: 'reports', prefix: 'reports/', expiration: Duration.days(RETENTION_DAYS.reports), transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }] },
        { id: 'processed', prefix: 'processed/', expiration: Duration.days(RETENTION_DAYS.processed) },
        { id: 'failed', prefix: 'failed/', expiration: Duration.days(RETENTION_DAYS.failed) },
        { id: 'tmp', prefix: 'tmp/', expiration: Duration.days(RETENTION_DAYS.tmp) },
      ],
    });

    this.deadLetterQueue = new sqs.Queue(this, 'TriggerDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Trigger', {
      // SSE-SQS rather than KMS: S3 can publish to it without a key policy.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue), { prefix: 'incoming/', suffix: '.xlsx' });
  }
}
