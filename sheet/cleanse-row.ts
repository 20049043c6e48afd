import { ownerNormalForm, parcelIdNormalForm } from '../scraper/query-normal-form.js';
import { collapseSpace, CUSTOMER_COLUMNS, type CustomerField, type HeaderLayout } from './header.js';
import type { CustomerRecord } from './types.js';

/** A data row's fields once cleansed, before its place among accepted rows is known. */
export type CleansedFields = Omit<CustomerRecord, 'seq' | 'row'>;

export type CleanseResult = { accepted: true; fields: CleansedFields } | { accepted: false; reason: string };

/**
 * Applies the spec's per-row cleansing to one non-empty data row (`texts[i]` is column i+1 as
 * text): white space trimmed and collapsed, the name upper-cased for searching, the parcel id
 * reduced to digits and dashes (both in the form the source is sent: scraper/query-normal-form.ts).
 * Carried columns keep their text unchanged. Duplicates are the caller's business: they depend
 * on the rows before.
 */
export function cleanseRow(texts: string[], layout: HeaderLayout, maxCellChars: number): CleanseResult {
  const long = texts.findIndex((text) => characterCount(text) > maxCellChars);
  if (long >= 0) {
    const header = layout.columns[long];
    return {
      accepted: false,
      reason:
        `the cell in column ${columnLetters(long)}${header ? ` ("${header}")` : ''} is ` +
        `${characterCount(texts[long] ?? '').toLocaleString('en-US')} characters long, over the ` +
        `${maxCellChars.toLocaleString('en-US')}-character limit on a cell (maxCellChars)`,
    };
  }
  const field = (name: CustomerField) => {
    const index = layout.fields[name];
    return index === undefined ? '' : collapseSpace(texts[index] ?? '');
  };
  const customerId = field('customerId');
  if (customerId === '') return { accepted: false, reason: `missing ${CUSTOMER_COLUMNS.customerId.label}` };
  const name = field('name');
  const county = field('county');
  const parcelId = parcelIdNormalForm(field('parcelId'));
  if (parcelId === '' && (name === '' || county === '')) {
    const missing = [CUSTOMER_COLUMNS.parcelId.label];
    if (name === '') missing.push(CUSTOMER_COLUMNS.name.label);
    if (county === '') missing.push(CUSTOMER_COLUMNS.county.label);
    return {
      accepted: false,
      reason: `missing ${missing.join(' and ')}: a row needs a Parcel ID, or a Name and a County to search by`,
    };
  }
  const extra: Record<string, string> = {};
  for (const { name: column, index } of layout.extras) extra[column] = texts[index] ?? '';
  return {
    accepted: true,
    fields: {
      customerId,
      name,
      searchName: ownerNormalForm(name),
      parcelId,
      county,
      state: field('state'),
      email: field('email'),
      extra,
    },
  };
}

/** Characters as a person counts them: a surrogate pair is one. */
export function characterCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1) count++;
  return count;
}

/** 0 -> A, 25 -> Z, 26 -> AA: the column as Excel labels it. */
export function columnLetters(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}
