import { buildApp } from '/work/main/dist/infra/build-app.js';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync } from 'node:fs';
const outdir = mkdtempSync('/tmp/cdkout-');
const { app, stack } = buildApp({ outdir, env: { account: '123456789012', region: 'eu-west-1' } });
const report = new AwsSolutionsChecks(app).validateScope(stack);
for (const v of report.violations) console.log(v.severity, v.ruleName, JSON.stringify(v.violatingResources.map(r=>r.constructPath ?? r)));
console.log('outdir', outdir);
