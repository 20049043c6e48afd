import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app.js';
import type { DroverStack } from '../../infra/drover-stack.js';

export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' };

export interface Synthesized {
  stack: DroverStack;
  app: ReturnType<typeof buildApp>['app'];
  template: Template;
  outdir: string;
  /** Directory of the trigger Lambda's bundle, exactly as `cdk synth` staged it. */
  lambdaAssetDir(): string;
  dispose(): void;
}

/**
 * The app as `cdk synth` builds it, offline: a stub account, no Docker (the image asset is
 * only staged and hashed; the Lambda is bundled by the local esbuild).
 */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'drover-cdk-'));
  const { app, stack } = buildApp({ outdir, env: TEST_ENV, context });
  const template = Template.fromStack(stack);
  return {
    app,
    stack,
    template,
    outdir,
    lambdaAssetDir() {
      const fns = template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler', Runtime: 'nodejs20.x' } });
      const [fn] = Object.values(fns) as { Properties: { Code: { S3Key: string } } }[];
      if (!fn) throw new Error('no trigger function in the template');
      const hash = fn.Properties.Code.S3Key.replace(/\.zip$/, '');
      const dir = readdirSync(outdir).find((d) => d === `asset.${hash}`);
      if (!dir) throw new Error(`asset.${hash} is not in ${outdir}`);
      return join(outdir, dir);
    },
    dispose() {
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}
