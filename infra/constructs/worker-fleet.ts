import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { ScrapeBatch } from './scrape-batch.js';
import { serviceTask } from './service-task.js';
import { workerCommand } from '../../workers/worker-command.js';

export interface WorkerFleetProps {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  securityGroup: ec2.ISecurityGroup;
  image: ecs.ContainerImage;
  bucket: s3.IBucket;
  senderIdentity: ses.EmailIdentity;
  batch: ScrapeBatch;
  /** Prefix of the per-run tables the worker creates and deletes (default `drover-run-`). */
  tablePrefix: string;
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
  /** Task count bounds of the CPU autoscaling. */
  minTasks: number;
  maxTasks: number;
  /** vCPU and MiB of one worker task (defaults 1024 and 4096: ingest holds a workbook in memory). */
  cpu?: number;
  memoryMiB?: number;
}

/** The Temporal workers: a Fargate service with no load balancer; it only dials out. */
export class WorkerFleet extends Construct {
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly logGroup: logs.LogGroup;
  readonly taskRole: iam.Role;

  constructor(scope: Construct, id: string, props: WorkerFleetProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // The cluster the API's service joins too: a cluster costs nothing and groups drover's services.
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: props.vpc });
    const { task, taskRole, logGroup } = serviceTask(this, {
      name: 'worker',
      roleDescription: 'drover Temporal worker: per-run tables, the input bucket, SES from the sender, the scraper job queue',
      image: props.image,
      command: workerCommand(),
      cpu: props.cpu ?? 1024,
      memoryMiB: props.memoryMiB ?? 4096,
      environment: props.environment,
      secrets: props.secrets,
      // Worker.run() hands in-flight tasks back on SIGTERM; give it time before SIGKILL.
      stopTimeout: Duration.seconds(120),
    });
    this.taskRole = taskRole;
    this.logGroup = logGroup;

    const tableArn = stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: `${props.tablePrefix}*` });
    this.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RunTables',
        actions: [
          'dynamodb:CreateTable', 'dynamodb:DeleteTable', 'dynamodb:DescribeTable', 'dynamodb:TagResource',
          'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem',
          'dynamodb:BatchGetItem', 'dynamodb:Query',
        ],
        resources: [tableArn],
      }),
    );
    this.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'BucketObjects',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:GetObjectTagging', 's3:PutObjectTagging', 's3:AbortMultipartUpload'],
        resources: [props.bucket.arnForObjects('*')],
      }),
    );
    this.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'BucketList', actions: ['s3:ListBucket'], resources: [props.bucket.bucketArn] }));
    props.senderIdentity.grantSendEmail(this.taskRole);
    props.batch.grantSubmitAndWatch(this.taskRole);

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: task,
      desiredCount: props.minTasks,
      assignPublicIp: true,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
    });
    const scaling = this.service.autoScaleTaskCount({ minCapacity: props.minTasks, maxCapacity: props.maxTasks });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: 60,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
  }
}
