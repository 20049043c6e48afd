/**
 * The app's structural choices, read from CDK context (`cdk.json` or `-c key=value`).
 * Values that differ per deployment but not in shape (endpoint, namespace, addresses) are
 * CloudFormation parameters instead (see `parameters.ts`), so one synthesized template
 * serves every environment.
 */
import { errorWithCode } from '../errors/drover-error.js';
export type TemporalAuth = 'api-key' | 'mtls';
/** Where the REST API answers: through an internet-facing load balancer, one only the VPC (and what is routed into it) reaches, or not deployed. */
export type ApiExposure = 'public' | 'internal' | 'none';

export interface DroverContext {
  /** How the fleet and the trigger authenticate to Temporal. Context `drover:temporalAuth`; default `api-key`. */
  temporalAuth: TemporalAuth;
  /** Use the account's default VPC (looked up; needs a real account) instead of creating one. Context `drover:useDefaultVpc`; default false. */
  useDefaultVpc: boolean;
  /**
   * A prebuilt image (`repo:tag` in a registry the tasks can pull from) instead of building
   * this repository's Dockerfile as an asset. Context `drover:image`; default unset.
   */
  image?: string;
  /** Fewest and most worker tasks. Context `drover:workerMin` / `drover:workerMax`; default 1 and 4. */
  workerMin: number;
  workerMax: number;
  /** Most vCPUs Batch runs at once in each compute environment. Context `drover:maxVcpus`; default 64. */
  maxVcpus: number;
  /**
   * The database refuses deletion, leaves a final snapshot and keeps its automated backups
   * when the stack goes. Context `drover:dbDeletionProtection`; default true. `false` is for
   * a throwaway deployment: `cdk destroy` then deletes the database with it.
   */
  dbDeletionProtection: boolean;
  /** Days of the database's automated backups (point-in-time recovery). Context `drover:dbBackupDays`; default 7, 1 to 35. */
  dbBackupDays: number;
  /**
   * The REST API behind an HTTPS load balancer. Context `drover:api`: `public` (default) an
   * internet-facing one, `internal` one with private addresses only, `none` no API (and no
   * API parameters). Either way its listener is HTTPS with the `ApiCertificateArn` certificate.
   */
  api: ApiExposure;
  /** API tasks, spread across the VPC's zones. Context `drover:apiTasks`; default 2. */
  apiTasks: number;
}

const KEYS = ['temporalAuth', 'useDefaultVpc', 'image', 'workerMin', 'workerMax', 'maxVcpus', 'dbDeletionProtection', 'dbBackupDays', 'api', 'apiTasks'] as const;
const API_EXPOSURES: readonly ApiExposure[] = ['public', 'internal', 'none'];

export class ContextError extends errorWithCode('ContextError', 'INFRA_CONTEXT') {}

type Lookup = (key: string) => unknown;

function bool(get: Lookup, key: string, fallback: boolean): boolean {
  const raw = String(get(`drover:${key}`) ?? fallback);
  if (!/^(true|false)$/.test(raw)) throw new ContextError(`drover:${key}=${raw}: expected true or false`);
  return raw === 'true';
}

function int(get: Lookup, key: string, fallback: number, min: number, max: number): number {
  const raw = get(`drover:${key}`);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ContextError(`drover:${key}=${String(raw)}: expected a whole number from ${min} to ${max}`);
  return n;
}

/**
 * Reads and validates `drover:*` context. `keys` lists every context key present, so an
 * unknown `drover:` key (a typo) is refused rather than ignored.
 */
export function readDroverContext(get: Lookup, keys: string[]): DroverContext {
  for (const key of keys) {
    if (key.startsWith('drover:') && !(KEYS as readonly string[]).includes(key.slice('drover:'.length))) {
      throw new ContextError(`${key} is not a drover context key; known: ${KEYS.map((k) => `drover:${k}`).join(', ')}`);
    }
  }
  const auth = get('drover:temporalAuth') ?? 'api-key';
  if (auth !== 'api-key' && auth !== 'mtls') throw new ContextError(`drover:temporalAuth=${String(auth)}: expected api-key or mtls`);
  const image = get('drover:image');
  if (image !== undefined && (typeof image !== 'string' || image.trim() === '')) throw new ContextError('drover:image must be an image reference such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/drover:1.0');
  const workerMin = int(get, 'workerMin', 1, 0, 100);
  const workerMax = int(get, 'workerMax', 4, 1, 100);
  if (workerMax < workerMin) throw new ContextError(`drover:workerMax (${workerMax}) is below drover:workerMin (${workerMin})`);
  const api = get('drover:api') ?? 'public';
  if (!API_EXPOSURES.includes(api as ApiExposure)) throw new ContextError(`drover:api=${String(api)}: expected ${API_EXPOSURES.join(', ')}`);
  return {
    temporalAuth: auth,
    useDefaultVpc: bool(get, 'useDefaultVpc', false),
    image: image as string | undefined,
    workerMin,
    workerMax,
    maxVcpus: int(get, 'maxVcpus', 64, 1, 4096),
    dbDeletionProtection: bool(get, 'dbDeletionProtection', true),
    dbBackupDays: int(get, 'dbBackupDays', 7, 1, 35),
    api: api as ApiExposure,
    apiTasks: int(get, 'apiTasks', 2, 1, 20),
  };
}
