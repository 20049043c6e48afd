import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REPO_ROOT } from '../paths.js';
import type { TemporalCredentials } from './temporal-credentials.js';

export const TRIGGER_TIMEOUT = Duration.seconds(30);

/**
 * The bundle is ESM like the rest of the repo; a few CommonJS dependencies of the gRPC
 * client call `require` for Node built-ins, which an ES module lacks.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire as __droverCreateRequire } from 'node:module'; const require = __droverCreateRequire(import.meta.url);";

export interface TriggerProps {
  bucket: s3.IBucket;
  queue: sqs.IQueue;
  credentials: TemporalCredentials;
  /** Plain settings of the function (TEMPORAL_ADDRESS, DROVER_MAIL_TO, ...). */
  environment: Record<string, string>;
}

/** The Lambda that turns an upload notification into a started workflow. */
export class Trigger extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: TriggerProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'drover trigger: read uploads under incoming/, the Temporal secret, and its own logs',
    });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, 'trigger', 'lambda.ts'),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_20_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: TRIGGER_TIMEOUT,
      role,
      logGroup,
      environment: { ...props.environment, ...props.credentials.lambdaEnvironment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node20',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // Everything is bundled, the AWS SDK included: the versions the tests ran with are the
        // versions that deploy, not whatever the runtime ships this month.
        externalModules: [],
        sourceMap: true,
        minify: false,
        forceDockerBundling: false,
      },
    });
    // Only what the handler does: HeadObject (GetObject's permission) on uploads.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.bucket.arnForObjects('incoming/*')] }),
    );
    props.credentials.secret.grantRead(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroup.logGroupArn}:*`] }),
    );
    this.fn.addEventSource(
      new SqsEventSource(props.queue, { batchSize: 10, maxBatchingWindow: Duration.seconds(1), reportBatchItemFailures: true }),
    );
  }
}
