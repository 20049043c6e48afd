/**
 * The one definition of the form in which a lookup's values reach the tax source
 * (shared/specs/tax-portal/README.md, "Routes"): a portal may match them exactly, so a value in
 * any other form can find nothing.
 *
 * - Owner names and counties: upper case, single spaces, trimmed (`  Lincoln ` is `LINCOLN`).
 *   The client puts both in this form as it writes the search request, whatever built the record.
 * - Parcel ids: digits and dashes, as the customer sheet's cleansing leaves them
 *   (shared/specs/customer-sheet.md). The sheet reader applies it once, to the record it stores;
 *   the client sends the record's id as it is, URL-encoded.
 *
 * Parcel ids the source lists in a search result are the source's own and are sent back as listed.
 */

/** Upper case, single spaces, trimmed: how the source spells an owner name. Idempotent. */
export function ownerNormalForm(name: string): string {
  return nameNormalForm(name);
}

/** Upper case, single spaces, trimmed: how the source spells a county. Idempotent. */
export function countyNormalForm(county: string): string {
  return nameNormalForm(county);
}

/**
 * Digits and dashes only. Full-width digits and typographic dashes (Excel's autocorrect) are
 * read as their ASCII forms first; dashes left at either end separate nothing and go. Idempotent.
 */
export function parcelIdNormalForm(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\p{Pd}/gu, '-')
    .replace(/[^0-9-]/g, '')
    .replace(/^-+|-+$/g, '');
}

function nameNormalForm(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toUpperCase();
}
