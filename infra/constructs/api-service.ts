import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ContextError } from '../context.js';
import { serviceTask } from './service-task.js';

/** The API's entry in the image (the worker's image: one build serves both). */
export const API_COMMAND = ['node', 'dist/api/main.js'];
/** Answers 200 only while the database and Temporal do (api/health.ts), within 3 s. */
export const API_HEALTH_PATH = '/healthz';
/** The container's name, and so the prefix of its log streams: `api/api/<task id>`. */
export const API_CONTAINER = 'api';
/** Where in the access-log bucket the load balancer writes. */
export const API_ACCESS_LOG_PREFIX = 'api-alb';

export interface ApiServiceProps {
  vpc: ec2.IVpc;
  /** Of the load balancer and the tasks: the VPC's public subnets (the tasks dial out through their public address; there is no NAT). */
  subnets: ec2.SubnetSelection;
  cluster: ecs.ICluster;
  image: ecs.ContainerImage;
  /** The worker's settings (Temporal, bucket, mail, Batch log group) and DROVER_API_PORT. */
  environment: Record<string, string>;
  /** The worker's secrets: the Temporal credential and DATABASE_SECRET_JSON. */
  secrets: Record<string, ecs.Secret>;
  /** DROVER_API_PORT: where the container listens and the load balancer sends. */
  port: number;
  /** An internet-facing load balancer, or one with private addresses only (context `drover:api`). */
  internetFacing: boolean;
  /** ACM certificate of the HTTPS listener (parameter `ApiCertificateArn`). */
  certificateArn: string;
  /** Admitted to the load balancer on 443 and 80 (parameter `ApiIngressCidr`). */
  ingressCidr: string;
  desiredCount: number;
  /** The input bucket: the credit check's start reads a workbook's head there. */
  bucket: s3.IBucket;
  /** Where the load balancer's access logs go, under `api-alb/` (SSE-S3: the only encryption ELB writes to). */
  accessLogs: s3.IBucket;
  /** vCPU units and MiB of one task (defaults 256 and 1024: requests are small, a task log is read whole). */
  cpu?: number;
  memoryMiB?: number;
}

/**
 * The REST API: a Fargate service behind an Application Load Balancer that ends TLS. An ALB
 * and long-running tasks rather than API Gateway's HTTP API and a Lambda, because the server
 * keeps what a function would lose or multiply: a PostgreSQL pool and a Temporal gRPC
 * connection opened once (a Lambda opens both on each cold start, and every concurrent
 * instance holds connections of its own against a small database), and each key's rate
 * limit, which is counted in the process. The tasks run the worker's image with the worker's
 * settings and secrets; their security group admits the load balancer alone.
 */
export class ApiService extends Construct {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly taskRole: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The tasks' group: the database admits it; it admits only the load balancer's. */
  readonly securityGroup: ec2.SecurityGroup;
  readonly loadBalancerSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: ApiServiceProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // The access-log bucket's policy names the region's ELB log-delivery account, which CDK looks up by region.
    if (Token.isUnresolved(stack.region)) {
      throw new ContextError('the API\'s load balancer writes access logs, whose bucket policy depends on the region: give the stack one (AWS_REGION, AWS_DEFAULT_REGION or the profile\'s region), or leave the API out with -c drover:api=none');
    }

    const { task, taskRole, logGroup } = serviceTask(this, {
      name: API_CONTAINER,
      roleDescription: 'drover REST API: head of a workbook in the input bucket, Batch job descriptions and step logs for task logs',
      image: props.image,
      command: API_COMMAND,
      cpu: props.cpu ?? 256,
      memoryMiB: props.memoryMiB ?? 1024,
      environment: props.environment,
      secrets: props.secrets,
      portMappings: [{ containerPort: props.port, protocol: ecs.Protocol.TCP }],
      // The server closes on SIGTERM once in-flight requests end; the load balancer stops sending first.
      stopTimeout: Duration.seconds(30),
    });
    this.taskDefinition = task;
    this.taskRole = taskRole;
    this.logGroup = logGroup;

    // HeadObject is authorized by s3:GetObject. The credit check's key must end in .xlsx (its parameter schema), so nothing else in the bucket.
    this.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadWorkbooks', actions: ['s3:GetObject'], resources: [props.bucket.arnForObjects('*.xlsx')] }));
    // A task log of an array child: DescribeJobs names its stream. It supports no resource-level permissions.
    this.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'DescribeJobs', actions: ['batch:DescribeJobs'], resources: ['*'] }));

    this.securityGroup = new ec2.SecurityGroup(this, 'Tasks', {
      vpc: props.vpc,
      description: 'drover API tasks: the load balancer in; out to Temporal, the database and AWS APIs',
      allowAllOutbound: true,
    });
    this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerGroup', {
      vpc: props.vpc,
      description: 'drover API load balancer: HTTPS (and HTTP that redirects) from ApiIngressCidr; out to the API tasks only',
      allowAllOutbound: false,
    });
    // Rules written here rather than by `open: true`, which would admit 0.0.0.0/0 whatever the parameter says.
    const clients = ec2.Peer.ipv4(props.ingressCidr);
    this.loadBalancerSecurityGroup.addIngressRule(clients, ec2.Port.tcp(443), 'HTTPS from ApiIngressCidr');
    this.loadBalancerSecurityGroup.addIngressRule(clients, ec2.Port.tcp(80), 'HTTP from ApiIngressCidr, answered with a redirect to HTTPS');

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      internetFacing: props.internetFacing,
      securityGroup: this.loadBalancerSecurityGroup,
      // Requests with malformed headers are dropped at the edge rather than passed to Fastify.
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(props.accessLogs, API_ACCESS_LOG_PREFIX);

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: task,
      desiredCount: props.desiredCount,
      assignPublicIp: true,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      // A task migrates the ledger (a no-op once done) and opens its pool before it answers.
      healthCheckGracePeriod: Duration.seconds(60),
    });

    const https = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
      // TLS 1.3, and TLS 1.2 with forward-secret AES-GCM suites only.
      sslPolicy: elbv2.SslPolicy.TLS13_RES,
      open: false,
    });
    https.addTargets('Api', {
      port: props.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service.loadBalancerTarget({ containerName: API_CONTAINER, containerPort: props.port })],
      healthCheck: {
        path: API_HEALTH_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
      // Requests are short (a task log is the longest); 5 minutes of draining would only slow deploys.
      deregistrationDelay: Duration.seconds(30),
    });
    // Keys travel in a header: port 80 only ever answers with a redirect, never with the API.
    this.loadBalancer.addRedirect({
      sourcePort: 80,
      sourceProtocol: elbv2.ApplicationProtocol.HTTP,
      targetPort: 443,
      targetProtocol: elbv2.ApplicationProtocol.HTTPS,
      open: false,
    });
  }
}
