import type { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export interface ServiceTaskProps {
  /** The container's name and its log streams' prefix: a task's stream is `<name>/<name>/<task id>`. */
  name: string;
  /** The task role's IAM description: what the service may do. */
  roleDescription: string;
  image: ecs.ContainerImage;
  /** Stated rather than left to the image's CMD, so a task does not depend on the image's default. */
  command: string[];
  /** vCPU units and MiB of one task. */
  cpu: number;
  memoryMiB: number;
  /** Non-secret settings only: ECS shows them to anyone who can describe the task definition. */
  environment: Record<string, string>;
  /** Injected from Secrets Manager when a task starts (the execution role reads them). */
  secrets: Record<string, ecs.Secret>;
  stopTimeout?: Duration;
  portMappings?: ecs.PortMapping[];
}

export interface ServiceTask {
  task: ecs.FargateTaskDefinition;
  container: ecs.ContainerDefinition;
  /** Empty: each service grants its own role exactly what it calls. */
  taskRole: iam.Role;
  logGroup: logs.LogGroup;
}

/**
 * The task of one of drover's long-running Fargate services (the Temporal workers, the REST
 * API): one image, the same settings and secrets, a log group of its own and a task role of
 * its own. Made as children of `scope` itself (`Logs`, `TaskRole`, `Task`) rather than of a
 * construct in between, so the workers' resources kept their logical ids when this was shared.
 */
export function serviceTask(scope: Construct, props: ServiceTaskProps): ServiceTask {
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
  const taskRole = new iam.Role(scope, 'TaskRole', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    description: props.roleDescription,
  });
  const task = new ecs.FargateTaskDefinition(scope, 'Task', {
    cpu: props.cpu,
    memoryLimitMiB: props.memoryMiB,
    taskRole,
    runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
  });
  const container = task.addContainer(props.name, {
    image: props.image,
    command: props.command,
    environment: props.environment,
    secrets: props.secrets,
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: props.name }),
    stopTimeout: props.stopTimeout,
    portMappings: props.portMappings,
  });
  return { task, container, taskRole, logGroup };
}
