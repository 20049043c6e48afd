import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The spec's sample pages (shared/specs/tax-portal/pages), copied byte for byte into the
 * repo's fixtures so that a clone needs nothing outside itself (tests run from the repo root).
 */
export const SPEC_PAGES = join(process.cwd(), 'test', 'fixtures', 'tax-portal');
/** Pages written for these tests. */
export const TEST_PAGES = join(process.cwd(), 'test', 'scraper', 'support', 'pages');

export function specPage(name: string): string {
  return readFileSync(join(SPEC_PAGES, name), 'utf8');
}

export function testPage(name: string): string {
  return readFileSync(join(TEST_PAGES, name), 'utf8');
}
