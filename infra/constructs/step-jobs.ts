import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as batch from 'aws-cdk-lib/aws-batch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { STEP_DEFINITION_PREFIX } from '../../activities/step-definition.js';
/** Where a step's script lives in the input bucket. */
export const TEMPLATES_PREFIX = 'templates/';
/** Where a step keeps its work and its results: read and write under jobs/, write under reports/jobs/. */
export const STEP_WORK_PREFIX = 'jobs/';
export const STEP_REPORTS_PREFIX = 'reports/jobs/';
/**
 * Batch's default log group, where a step definition without log options sends its output;
 * the stack gives it to the worker as `BATCH_LOG_GROUP`, so the IAM scope and the group
 * `drover task log` reads are one value. Batch's, not the stack's: it may already exist in
 * the account, so the stack does not create it (nor set its retention).
 */
export const BATCH_LOG_GROUP = '/aws/batch/job';

export interface StepJobsProps {
  bucket: s3.IBucket;
  /** The queue the steps run in (the scraper's: Fargate Spot, then on-demand). */
  jobQueue: batch.IJobQueue;
  /**
   * What Fargate starts a step with: the scraper child's execution role, which CDK already
   * lets pull this image (a separate role would need the image's asset repository, which
   * the stack sees only through a container definition).
   */
  executionRole: iam.IRole;
}

/**
 * The AWS side of catalog steps. The stack registers no step job definitions: the worker
 * registers one per job version and step (`drover-step-*`) with the job role and execution
 * role made here, and submits each step to the scraper's queue. The fetch-and-run entrypoint
 * in that container reads its script under `templates/`; the step itself may read and write its
 * work under `jobs/` and write its results under `reports/jobs/`, and nothing else.
 */
export class StepJobs extends Construct {
  readonly jobRole: iam.Role;
  readonly executionRole: iam.IRole;
  private readonly jobQueue: batch.IJobQueue;

  constructor(scope: Construct, id: string, props: StepJobsProps) {
    super(scope, id);
    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'drover catalog step: read its script under templates/, read and write jobs/, write reports/jobs/ of the input bucket',
    });
    this.jobRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadTemplates', actions: ['s3:GetObject'], resources: [props.bucket.arnForObjects(`${TEMPLATES_PREFIX}*`)] }),
    );
    this.jobRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'StepWork', actions: ['s3:GetObject', 's3:PutObject'], resources: [props.bucket.arnForObjects(`${STEP_WORK_PREFIX}*`)] }),
    );
    this.jobRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'StepReports', actions: ['s3:PutObject'], resources: [props.bucket.arnForObjects(`${STEP_REPORTS_PREFIX}*`)] }),
    );
    // The awslogs driver writes with the execution role, not the job role: the step's own
    // role needs no log permission for its output to reach CloudWatch.
    this.jobQueue = props.jobQueue;
    this.executionRole = props.executionRole;
    this.executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'WriteStepLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [batchLogStreams(this)] }),
    );
  }

  /**
   * What the worker does with steps: register, describe and deregister `drover-step-*`
   * definitions passing only these two roles, submit them to the queue, read their logs.
   */
  grantRegisterAndSubmit(grantee: iam.IGrantable): void {
    const stack = Stack.of(this);
    const definitions = stack.formatArn({ service: 'batch', resource: 'job-definition', resourceName: `${STEP_DEFINITION_PREFIX}*` });
    const principal = grantee.grantPrincipal;
    // RegisterJobDefinition with tags needs TagResource on the new definition.
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ManageStepDefinitions',
        actions: ['batch:RegisterJobDefinition', 'batch:DeregisterJobDefinition', 'batch:TagResource'],
        resources: [definitions],
      }),
    );
    // DescribeJobDefinitions supports no resource-level permissions (Service Authorization Reference).
    principal.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'DescribeStepDefinitions', actions: ['batch:DescribeJobDefinitions'], resources: ['*'] }));
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'SubmitSteps', actions: ['batch:SubmitJob'], resources: [this.jobQueue.jobQueueArn, definitions] }),
    );
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PassStepRoles',
        actions: ['iam:PassRole'],
        resources: [this.jobRole.roleArn, this.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'batch.amazonaws.com' } },
      }),
    );
    this.grantReadLogs(grantee);
  }

  /** `drover task log` and the API's task log: a step's output, by the log stream DescribeJobs names. */
  grantReadLogs(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadStepLogs', actions: ['logs:GetLogEvents'], resources: [batchLogStreams(this)] }));
  }
}

/** The streams of Batch's default log group (and the group itself: its ARN with `:*`). */
function batchLogStreams(scope: Construct): string {
  return Stack.of(scope).formatArn({ service: 'logs', resource: 'log-group', resourceName: `${BATCH_LOG_GROUP}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}
