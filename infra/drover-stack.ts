import { CfnCondition, CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { declaredValue } from '../config/settings.js';
import { Alarms } from './constructs/alarms.js';
import { ApiService } from './constructs/api-service.js';
import { Database } from './constructs/database.js';
import { droverImage } from './constructs/image.js';
import { Network } from './constructs/network.js';
import { ScrapeBatch } from './constructs/scrape-batch.js';
import { BATCH_LOG_GROUP, StepJobs } from './constructs/step-jobs.js';
import { Storage } from './constructs/storage.js';
import { TemporalCredentials } from './constructs/temporal-credentials.js';
import { Trigger, TRIGGER_TIMEOUT } from './constructs/trigger.js';
import { WorkerFleet } from './constructs/worker-fleet.js';
import type { DroverContext } from './context.js';
import { suppressAcceptedFindings } from './nag-suppressions.js';
import { declareApiParameters, declareParameters } from './parameters.js';

/** DROVER_TABLE_PREFIX's default: the CDK app cannot read the worker's environment, so the stack sets it and scopes IAM to it. */
export const TABLE_PREFIX = declaredValue('DROVER_TABLE_PREFIX');
/** DROVER_API_PORT's default: the container's port and the load balancer's target port are one value. */
export const API_PORT = Number(declaredValue('DROVER_API_PORT'));

export interface DroverStackProps extends StackProps {
  drover: DroverContext;
}

/**
 * The whole production path: upload → queue → trigger → Temporal workers → Batch children →
 * report by mail; the job catalog's: the ledger database, and the step jobs the workers
 * register and submit to the same queue; and the REST API behind an HTTPS load balancer.
 */
export class DroverStack extends Stack {
  readonly storage: Storage;
  readonly trigger: Trigger;
  readonly fleet: WorkerFleet;
  readonly scrape: ScrapeBatch;
  readonly steps: StepJobs;
  readonly database: Database;
  readonly alarms: Alarms;
  /** Undefined with `-c drover:api=none`. */
  readonly api?: ApiService;

  constructor(scope: Construct, id: string, props: DroverStackProps) {
    super(scope, id, props);
    const ctx = props.drover;
    const params = declareParameters(this);

    const network = new Network(this, 'Network', { useDefaultVpc: ctx.useDefaultVpc });
    this.storage = new Storage(this, 'Storage', { consumerTimeout: TRIGGER_TIMEOUT });
    const credentials = new TemporalCredentials(this, 'TemporalCredentials', { auth: ctx.temporalAuth, secretArn: params.temporalSecretArn });
    const sender = new ses.EmailIdentity(this, 'Sender', { identity: ses.Identity.email(params.senderAddress) });
    const { image, uri: imageUri } = droverImage(this, ctx.image);

    const temporalEnv = {
      TEMPORAL_ADDRESS: params.temporalAddress,
      TEMPORAL_NAMESPACE: params.temporalNamespace,
      TEMPORAL_TASK_QUEUE: 'drover',
    };
    // AWS_REGION is not set here: Lambda refuses it as reserved, and ECS and Batch set it.
    const awsEnv = {
      DROVER_BUCKET: this.storage.bucket.bucketName,
      DROVER_TABLE_PREFIX: TABLE_PREFIX,
      DROVER_MAIL_FROM: params.senderAddress,
      DROVER_MAIL_TO: params.defaultRecipient,
    };
    // What every long-running service reads: the workers and the API load the same configuration parts.
    const serviceEnv = { ...temporalEnv, ...awsEnv, TEMPORAL_UI_URL: params.temporalUiUrl };

    this.scrape = new ScrapeBatch(this, 'Scrape', {
      vpc: network.vpc,
      subnets: network.subnets,
      securityGroup: network.securityGroup,
      image,
      bucket: this.storage.bucket,
      tablePrefix: TABLE_PREFIX,
      environment: { TAX_SOURCE_URL: params.taxSourceUrl },
      maxVcpus: ctx.maxVcpus,
    });

    this.steps = new StepJobs(this, 'Steps', {
      bucket: this.storage.bucket,
      jobQueue: this.scrape.jobQueue,
      executionRole: this.scrape.jobDefinition.container.executionRole,
    });

    this.database = new Database(this, 'Database', {
      vpc: network.vpc,
      subnets: network.databaseSubnets,
      clients: network.workerSecurityGroup,
      protect: ctx.dbDeletionProtection,
      backupDays: ctx.dbBackupDays,
    });

    this.trigger = new Trigger(this, 'Trigger', {
      bucket: this.storage.bucket,
      queue: this.storage.queue,
      credentials,
      environment: { ...temporalEnv, ...awsEnv },
    });

    const serviceSecrets = { ...credentials.ecsSecrets, ...this.database.ecsSecrets };
    this.fleet = new WorkerFleet(this, 'Workers', {
      vpc: network.vpc,
      subnets: network.subnets,
      securityGroup: network.workerSecurityGroup,
      image,
      bucket: this.storage.bucket,
      senderIdentity: sender,
      batch: this.scrape,
      tablePrefix: TABLE_PREFIX,
      environment: {
        ...serviceEnv,
        BATCH_JOB_QUEUE: this.scrape.jobQueue.jobQueueArn,
        BATCH_JOB_DEFINITION: this.scrape.jobDefinition.jobDefinitionArn,
        // What the worker registers catalog step definitions with, and where it reads their logs.
        BATCH_STEP_IMAGE: imageUri,
        BATCH_STEP_JOB_ROLE_ARN: this.steps.jobRole.roleArn,
        BATCH_STEP_EXECUTION_ROLE_ARN: this.steps.executionRole.roleArn,
        BATCH_LOG_GROUP: BATCH_LOG_GROUP,
        // The capacity the fan-out plan counts on: the Spot environment's vCPUs, 1 a child (the on-demand one is its fallback).
        DROVER_BATCH_VCPUS: String(ctx.maxVcpus),
        TAX_SOURCE_URL: params.taxSourceUrl,
      },
      secrets: serviceSecrets,
      minTasks: ctx.workerMin,
      maxTasks: ctx.workerMax,
    });

    this.steps.grantRegisterAndSubmit(this.fleet.taskRole);

    if (ctx.api !== 'none') {
      const apiParams = declareApiParameters(this);
      const api = new ApiService(this, 'Api', {
        vpc: network.vpc,
        subnets: network.subnets,
        cluster: this.fleet.cluster,
        image,
        // One proxy in front: the load balancer, whose X-Forwarded-For names the client.
        environment: { ...serviceEnv, BATCH_LOG_GROUP: BATCH_LOG_GROUP, DROVER_API_PORT: String(API_PORT), DROVER_API_TRUSTED_PROXIES: '1' },
        secrets: serviceSecrets,
        port: API_PORT,
        internetFacing: ctx.api === 'public',
        certificateArn: apiParams.certificateArn,
        ingressCidr: apiParams.ingressCidr,
        desiredCount: ctx.apiTasks,
        bucket: this.storage.bucket,
        accessLogs: this.storage.accessLogs,
      });
      this.steps.grantReadLogs(api.taskRole);
      this.database.admit(api.securityGroup, 'drover API');
      this.api = api;

      new CfnOutput(this, 'ApiUrl', { value: `https://${apiParams.domainName}`, description: 'The REST API (Swagger UI at /docs) once ApiDomainName points at ApiLoadBalancerDnsName' });
      new CfnOutput(this, 'ApiLoadBalancerDnsName', { value: api.loadBalancer.loadBalancerDnsName, description: 'Target of the CNAME or alias record of ApiDomainName' });
      new CfnOutput(this, 'ApiService', { value: api.service.serviceName });
      new CfnOutput(this, 'ApiLogGroup', { value: api.logGroup.logGroupName, description: 'The API\'s logs, and a one-off task\'s output (stream api/api/<task id>)' });
      // What `aws ecs run-task` needs to run a CLI command (the first admin key) as an API task: see the README.
      new CfnOutput(this, 'ApiTaskDefinition', { value: api.taskDefinition.taskDefinitionArn });
      new CfnOutput(this, 'ApiTaskSubnets', { value: Fn.join(',', network.vpc.selectSubnets(network.subnets).subnetIds) });
      new CfnOutput(this, 'ApiTaskSecurityGroup', { value: api.securityGroup.securityGroupId });
    }

    const hasAlarmEmail = new CfnCondition(this, 'HasAlarmEmail', { expression: Fn.conditionNot(Fn.conditionEquals(params.alarmEmail, '')) });
    this.alarms = new Alarms(this, 'Alarms', {
      deadLetterQueue: this.storage.deadLetterQueue,
      workerLogGroup: this.fleet.logGroup,
      alarmEmail: params.alarmEmail,
      subscribeWhen: (subscription) => (subscription.cfnOptions.condition = hasAlarmEmail),
    });

    new CfnOutput(this, 'BucketName', { value: this.storage.bucket.bucketName, description: 'Upload workbooks to s3://<this>/incoming/' });
    new CfnOutput(this, 'TriggerQueueUrl', { value: this.storage.queue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.storage.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'WorkerLogGroup', { value: this.fleet.logGroup.logGroupName });
    new CfnOutput(this, 'ScraperLogGroup', { value: this.scrape.logGroup.logGroupName });
    new CfnOutput(this, 'JobQueue', { value: this.scrape.jobQueue.jobQueueArn });
    new CfnOutput(this, 'WorkerService', { value: this.fleet.service.serviceName });
    new CfnOutput(this, 'ClusterName', { value: this.fleet.cluster.clusterName, description: 'The ECS cluster of the workers and the API' });
    new CfnOutput(this, 'DatabaseEndpoint', { value: this.database.instance.dbInstanceEndpointAddress });
    new CfnOutput(this, 'DatabaseSecretArn', { value: this.database.secret.secretArn, description: 'Username, password, host, port and dbname of the ledger database' });
    new CfnOutput(this, 'StepJobRoleArn', { value: this.steps.jobRole.roleArn });

    suppressAcceptedFindings(this, network.vpc);
  }
}
