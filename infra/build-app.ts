/** The CDK app, built in a function so tests synthesize exactly what `cdk synth` does. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readDroverContext } from './context.js';
import { DroverStack } from './drover-stack.js';

export interface BuildAppOptions {
  /** Context of the app, as `-c` would give it (tests pass theirs here). */
  context?: Record<string, unknown>;
  /** Where the cloud assembly goes (default the CLI's choice, or a temp dir). */
  outdir?: string;
  /** Account and region; default the CLI's (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION). */
  env?: { account?: string; region?: string };
  /** Stack name (default `Drover`). */
  stackName?: string;
}

export function buildApp(options: BuildAppOptions = {}): { app: App; stack: DroverStack } {
  const app = new App({ context: options.context, outdir: options.outdir });
  const drover = readDroverContext((key) => app.node.tryGetContext(key), Object.keys({ ...options.context, ...contextKeysFromCli() }));
  const stack = new DroverStack(app, options.stackName ?? 'Drover', {
    env: options.env ?? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: 'drover: S3 upload → Temporal credit-check run → AWS Batch scraper → report by SES',
    drover,
  });
  // cdk-nag 3 runs as a policy-validation plugin: synth fails on any finding not acknowledged.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

/** The CLI hands context to the app as JSON in CDK_CONTEXT_JSON. */
function contextKeysFromCli(): Record<string, unknown> {
  const json = process.env.CDK_CONTEXT_JSON;
  return json ? (JSON.parse(json) as Record<string, unknown>) : {};
}
