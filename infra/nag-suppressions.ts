import { Stack, Token, Validations, type CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { STEP_DEFINITION_PREFIX } from '../activities/step-definition.js';
import { declaredValue } from '../config/settings.js';
import { BATCH_LOG_GROUP, STEP_REPORTS_PREFIX, STEP_WORK_PREFIX, TEMPLATES_PREFIX } from './constructs/step-jobs.js';
import type { DroverStack } from './drover-stack.js';

/** How cdk-nag names a resource ARN in an IAM5 finding: tokens as `<Logical.Attr>` / `<AWS::Region>`. */
function arnFinding(stack: Stack, service: string, resource: string): string {
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return `Resource::arn:<AWS::Partition>:${service}:${region}:${account}:${resource}`;
}

function arnOf(resource: IConstruct): string {
  return `<${Stack.of(resource).getLogicalId(resource.node.defaultChild as CfnResource)}.Arn>`;
}

function ack(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Every cdk-nag finding this stack accepts, each with its reason. Wildcard findings are
 * acknowledged one resource pattern at a time, so a new wildcard still fails the synth.
 */
export function suppressAcceptedFindings(stack: DroverStack, vpc: IConstruct): void {
  const bucketObjects = (prefix: string) => `Resource::${arnOf(stack.storage.bucket)}/${prefix}`;
  const runTables = arnFinding(stack, 'dynamodb', `table/${declaredValue('DROVER_TABLE_PREFIX')}*`);
  const batchLogStreams = arnFinding(stack, 'logs', `log-group:${BATCH_LOG_GROUP}:*`);

  ack(vpc, 'AwsSolutions-VPC7', 'The VPC carries only outbound task traffic and no inbound; flow logs would be the only cost of the network at rest. Enable them when an audit needs them.');

  ack(stack.trigger, `AwsSolutions-IAM5[${bucketObjects('incoming/*')}]`, 'The trigger reads (HeadObject) any upload under incoming/; keys are not known in advance.');
  ack(stack.trigger, `AwsSolutions-IAM5[Resource::${arnOf(stack.trigger.node.findChild('Logs'))}:*]`, 'Log streams of the function\'s own log group; Lambda names them per container.');
  const node20 = 'Node 20 is the runtime this project targets and tests (package.json engines, the Docker image); the function moves with the project. Lambda disables creating nodejs20.x functions from 2027-02-01.';
  ack(stack.trigger, 'AwsSolutions-L1', node20);
  ack(stack.trigger, 'CloudFormation-Validate::W2531', node20);
  ack(stack, 'CloudFormation-Validate::W2509', 'TemporalSecretArn names the secret; it is not the secret, so NoEcho would only hide a useful value.');

  ack(stack.fleet.taskRole, `AwsSolutions-IAM5[${runTables}]`, 'Each run creates and deletes its own table drover-run-<runId>; the names are known only at run time, so the grant is scoped to the prefix.');
  ack(stack.fleet.taskRole, `AwsSolutions-IAM5[${bucketObjects('*')}]`, 'The worker reads uploads, writes tmp/ chunks and reports/, and moves inputs to processed/ or failed/: every prefix of this one bucket.');
  ack(stack.fleet.taskRole, `AwsSolutions-IAM5[${arnFinding(stack, 'batch', 'job/*')}]`, 'TerminateJob (cancelling a run) and TagResource (SubmitJob with tags) act on jobs whose ids Batch assigns at submit time.');
  ack(stack.fleet.taskRole, 'AwsSolutions-IAM5[Resource::*]', 'batch:DescribeJobs, batch:ListJobs and batch:DescribeJobDefinitions support no resource-level permissions (Service Authorization Reference); the statements on "*" have only those three actions.');
  ack(stack.fleet.taskRole, `AwsSolutions-IAM5[${arnFinding(stack, 'batch', `job-definition/${STEP_DEFINITION_PREFIX}*`)}]`, 'The worker registers, deregisters, tags and submits one job definition per catalog job version and step, named drover-step-<job>-v<version>-<step> at run time (and each registration adds a revision :N): scoped to that prefix.');
  ack(stack.fleet.taskRole, `AwsSolutions-IAM5[${batchLogStreams}]`, 'logs:GetLogEvents only, for `drover task log`: a step\'s log stream in Batch\'s default group is named per job at run time.');

  ack(stack.scrape.jobRole, `AwsSolutions-IAM5[${runTables}]`, 'A child writes results into the run\'s own table drover-run-<runId>, named at run time: scoped to the prefix, and to the four item calls a child makes (BatchWriteItem, GetItem, Query, UpdateItem).');
  ack(stack.scrape.jobRole, `AwsSolutions-IAM5[${bucketObjects('tmp/*')}]`, 'A child reads only its run\'s chunk objects under tmp/<runId>/chunks/, named at run time.');

  ack(stack.steps.jobRole, `AwsSolutions-IAM5[${bucketObjects(`${TEMPLATES_PREFIX}*`)}]`, 'A catalog step reads (GetObject only) its script under templates/, named by the job version it runs; nothing else in the bucket.');
  ack(stack.steps.jobRole, `AwsSolutions-IAM5[${bucketObjects(`${STEP_WORK_PREFIX}*`)}]`, 'A catalog step reads and writes its own work under jobs/ (keyed by its process id, which is only known when it runs).');
  ack(stack.steps.jobRole, `AwsSolutions-IAM5[${bucketObjects(`${STEP_REPORTS_PREFIX}*`)}]`, 'A catalog step writes its results under reports/jobs/ (keyed by its process id, which is only known when it runs); it reads nothing there.');
  ack(stack.steps.executionRole, `AwsSolutions-IAM5[${batchLogStreams}]`, 'The awslogs driver creates a catalog step\'s log stream in Batch\'s default group, one per job, named at run time.');

  ack(stack.database.node.findChild('Credentials'), 'AwsSolutions-SMG4', 'Rotation needs a Lambda that reaches both Secrets Manager and the database; the VPC has no NAT gateway or interface endpoints (their cost at rest is what the network avoids), and ECS reads the secret only when a worker task starts, so a rotated password would reach running workers only after a restart.');
  ack(stack.database.instance, 'AwsSolutions-RDS3', 'Single-AZ by choice: the ledger is small, a standby doubles its cost, and automated backups give point-in-time recovery; an outage stalls new catalog runs, not the data.');
  if (!stack.database.deletionProtection) {
    ack(stack.database.instance, 'AwsSolutions-RDS10', 'Deployed with -c drover:dbDeletionProtection=false: a throwaway stack whose `cdk destroy` is meant to delete the database (the default keeps the protection on).');
  }
  ack(stack.database.instance, 'AwsSolutions-RDS11', 'The default port: its security group admits only the workers\' and the API tasks\' security groups, and the instance has no public address, so a different port would hide nothing.');

  if (stack.api) {
    ack(stack.api.taskRole, `AwsSolutions-IAM5[${bucketObjects('*.xlsx')}]`, 'GetObject only (it authorizes the HeadObject of a credit check\'s start): the workbook may be any .xlsx key a caller names (incoming/, failed/), known only at request time; nothing else in the bucket.');
    ack(stack.api.taskRole, 'AwsSolutions-IAM5[Resource::*]', 'batch:DescribeJobs alone, for the stream of an array child\'s task log: it supports no resource-level permissions (Service Authorization Reference).');
    ack(stack.api.taskRole, `AwsSolutions-IAM5[${batchLogStreams}]`, 'logs:GetLogEvents only, for GET /v1/processes/{id}/tasks/{task}/log: a step\'s log stream in Batch\'s default group is named per job at run time.');
    ack(stack.api.loadBalancerSecurityGroup, 'AwsSolutions-EC23', 'The API\'s load balancer admits ApiIngressCidr on 443 (and 80, which only redirects): a deploy-time parameter cdk-nag cannot read, 0.0.0.0/0 by default because clients call from anywhere (with drover:api=internal the load balancer has no public address, so it means whatever routes into the VPC). TLS and an API key on every route but /healthz and the document guard it; narrow the CIDR to the callers\' networks where they are known.');
    ack(stack.api, 'AwsSolutions-ECS2', 'The environment holds only non-secret settings (endpoint, namespace, bucket, addresses, port); the Temporal credential and the database secret are injected from Secrets Manager.');
  }

  const apiExecutionRole = stack.api?.taskDefinition.executionRole;
  for (const executionRole of [stack.fleet.node.findChild('Task').node.findChild('ExecutionRole'), stack.scrape.node.findChild('Child').node.findChild('ExecutionRole'), ...(apiExecutionRole ? [apiExecutionRole] : [])]) {
    ack(executionRole, 'AwsSolutions-IAM5[Resource::*]', 'ecr:GetAuthorizationToken, granted by CDK to pull the image, supports no resource-level permissions.');
  }

  ack(stack.fleet, 'AwsSolutions-ECS4', 'Container Insights bills custom metrics per task even when idle; the service\'s CPU metric (used for scaling) and the alarms cover what this fleet needs.');
  ack(stack.fleet, 'AwsSolutions-ECS2', 'The environment holds only non-secret settings (endpoint, namespace, bucket, queue, addresses); the Temporal credential is injected from Secrets Manager.');

  // CDK's singleton that applies the bucket notification configuration at deploy time.
  const notifications = stack.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
  if (notifications) {
    ack(notifications, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'CDK\'s own deploy-time handler for bucket notifications; it only writes its logs with this policy.');
  }
}
