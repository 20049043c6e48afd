/** The columns the spec names; every other column is carried through by its header text. */
export type CustomerField = 'customerId' | 'name' | 'parcelId' | 'county' | 'state' | 'email';

/** Display name and accepted header spellings of each known column (shared/specs/customer-sheet.md). */
export const CUSTOMER_COLUMNS: Readonly<Record<CustomerField, { label: string; aliases: readonly string[] }>> = {
  customerId: { label: 'Customer ID', aliases: ['id', 'customer #', 'customer no', 'cust id', 'account', 'account #'] },
  name: { label: 'Name', aliases: ['customer name', 'owner', 'owner name', 'name of owner'] },
  parcelId: { label: 'Parcel ID', aliases: ['parcel', 'parcel #', 'parcel no', 'parcel number', 'apn'] },
  county: { label: 'County', aliases: ['county name'] },
  state: { label: 'State', aliases: ['st'] },
  email: { label: 'Email', aliases: ['e-mail', 'contact email'] },
};

/** Case, white space and punctuation do not count: "Cust. ID", "cust id" and "CUSTID" are one header. */
export function headerKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

const FIELD_BY_KEY = new Map<string, CustomerField>(
  (Object.entries(CUSTOMER_COLUMNS) as [CustomerField, { label: string; aliases: readonly string[] }][]).flatMap(
    ([field, { label, aliases }]) => [label, ...aliases].map((text) => [headerKey(text), field] as [string, CustomerField]),
  ),
);

/** Where each column of a recognised header row goes. */
export interface HeaderLayout {
  /** Header texts in column order (index 0 is column A), trimmed, white space collapsed. */
  columns: string[];
  /** 0-based column index of each known field the header has. */
  fields: Partial<Record<CustomerField, number>>;
  /** Carried columns: their (unique) name and 0-based column index. */
  extras: { name: string; index: number }[];
}

/**
 * Reads a row as a header when it names at least the Customer ID and Name columns. The first
 * column matching a field takes it; a repeat is carried like any other column. Columns without
 * a header text are not carried: there is nothing to call them in the report.
 */
export function matchHeader(texts: string[]): HeaderLayout | undefined {
  const columns = texts.map(collapseSpace);
  while (columns.length > 0 && columns[columns.length - 1] === '') columns.pop();
  const fields: Partial<Record<CustomerField, number>> = {};
  const extraIndexes: number[] = [];
  columns.forEach((text, index) => {
    if (text === '') return;
    const field = FIELD_BY_KEY.get(headerKey(text));
    if (field !== undefined && fields[field] === undefined) fields[field] = index;
    else extraIndexes.push(index);
  });
  if (fields.customerId === undefined || fields.name === undefined) return undefined;
  const used = new Set<string>();
  const extras = extraIndexes.map((index) => {
    const text = columns[index] ?? '';
    let name = text;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${text} (${n})`;
    used.add(name.toLowerCase());
    return { name, index };
  });
  return { columns, fields, extras };
}

/** Trim and collapse runs of white space (line breaks and non-breaking spaces included) to one space. */
export function collapseSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
