import { Duration, Size, Stack } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** The child's exit code for bad input (run-data/child-exit.ts): retrying cannot help. */
export const CHILD_BAD_INPUT_EXIT_CODE = '2';

export interface ScrapeBatchProps {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  securityGroup: ec2.ISecurityGroup;
  image: ecs.ContainerImage;
  bucket: s3.IBucket;
  tablePrefix: string;
  /** Settings of every child (TAX_SOURCE_URL, AWS_REGION, ...); the job adds the JOB_* ones. */
  environment: Record<string, string>;
  /** Most vCPUs each compute environment runs at once. */
  maxVcpus: number;
  /** Attempts per child (default 3) and the limit of one attempt (default 30 minutes). */
  attempts?: number;
  attemptTimeout?: Duration;
}

/**
 * The scraper's AWS Batch side: Fargate Spot first, on-demand Fargate when Spot has no
 * capacity, and the array child's job definition running the same image as the workers.
 */
export class ScrapeBatch extends Construct {
  readonly jobQueue: batch.JobQueue;
  readonly jobDefinition: batch.EcsJobDefinition;
  readonly jobRole: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ScrapeBatchProps) {
    super(scope, id);
    const network = { vpc: props.vpc, vpcSubnets: props.subnets, securityGroups: [props.securityGroup], maxvCpus: props.maxVcpus };
    const spot = new batch.FargateComputeEnvironment(this, 'Spot', { ...network, spot: true });
    const onDemand = new batch.FargateComputeEnvironment(this, 'OnDemand', { ...network, spot: false });
    this.jobQueue = new batch.JobQueue(this, 'Queue', {
      priority: 1,
      computeEnvironments: [
        { computeEnvironment: spot, order: 1 },
        { computeEnvironment: onDemand, order: 2 },
      ],
    });

    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'drover scraper child: write results to the per-run tables, read its chunk under tmp/',
    });
    const tableArn = Stack.of(this).formatArn({ service: 'dynamodb', resource: 'table', resourceName: `${props.tablePrefix}*` });
    // What workers/child.ts calls: BatchWriteItem (result pages), Query (a retried child finds the
    // pages already written), GetItem and UpdateItem (the shared source budget's item).
    this.jobRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'WriteResults', actions: ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], resources: [tableArn] }),
    );
    this.jobRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadChunks', actions: ['s3:GetObject'], resources: [props.bucket.arnForObjects('tmp/*')] }));

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.TWO_WEEKS });
    this.jobDefinition = new batch.EcsJobDefinition(this, 'Scraper', {
      container: new batch.EcsFargateContainerDefinition(this, 'Child', {
        image: props.image,
        command: ['node', 'dist/workers/child.bundle.js'],
        cpu: 1,
        memory: Size.gibibytes(2),
        environment: props.environment,
        jobRole: this.jobRole,
        logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'scraper' }),
        // Public subnets without NAT: the task needs its own address to pull and to reach the portal.
        assignPublicIp: true,
        fargatePlatformVersion: ecs.FargatePlatformVersion.LATEST,
      }),
      retryAttempts: props.attempts ?? 3,
      retryStrategies: [
        batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom({ onExitCode: CHILD_BAD_INPUT_EXIT_CODE })),
        batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.custom({ onReason: '*' })),
      ],
      timeout: props.attemptTimeout ?? Duration.minutes(30),
    });
  }

  /** What the worker's runArrayJob activity calls: submit to this queue and definition, then watch and stop its jobs. */
  grantSubmitAndWatch(grantee: iam.IGrantable): void {
    const stack = Stack.of(this);
    const jobs = stack.formatArn({ service: 'batch', resource: 'job', resourceName: '*' });
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'SubmitScraper', actions: ['batch:SubmitJob'], resources: [this.jobQueue.jobQueueArn, this.jobDefinition.jobDefinitionArn] }),
    );
    // SubmitJob with tags needs TagResource on the new job; TerminateJob is per job.
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ManageJobs', actions: ['batch:TagResource', 'batch:TerminateJob'], resources: [jobs] }),
    );
    // DescribeJobs and ListJobs support no resource-level permissions.
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'WatchJobs', actions: ['batch:DescribeJobs', 'batch:ListJobs'], resources: ['*'] }),
    );
  }
}
