/**
 * What xl/workbook.xml and its relationships say about the package: the sheets in tab order
 * with their visibility and zip paths, and where the shared strings and styles live. Parsed
 * with a few patterns because these parts are small, flat lists of empty elements; exceljs's
 * streaming reader only maps names when a target is spelled exactly `worksheets/sheetN.xml`.
 */
export interface WorkbookSheet {
  name: string;
  /** `hidden` or `veryHidden` in the workbook. */
  hidden: boolean;
  /** Zip path of the part, e.g. `xl/worksheets/sheet2.xml`; undefined when the relationship is missing. */
  path: string | undefined;
  /** False for chart sheets, dialog sheets and macro sheets. */
  isWorksheet: boolean;
}

export interface WorkbookParts {
  sheets: WorkbookSheet[];
  sharedStringsPath: string | undefined;
  stylesPath: string | undefined;
  /** Serial dates count from 1904-01-01 instead of 1900-01-00. */
  date1904: boolean;
}

const REL_TYPE_END = {
  worksheet: '/worksheet',
  sharedStrings: '/sharedStrings',
  styles: '/styles',
};

export function parseWorkbookParts(workbookXml: string, relsXml: string): WorkbookParts {
  const rels = new Map<string, { type: string; path: string }>();
  for (const attributes of elements(relsXml, 'Relationship')) {
    const id = attributes.get('Id');
    const target = attributes.get('Target');
    if (id === undefined || target === undefined || attributes.get('TargetMode') === 'External') continue;
    rels.set(id, { type: attributes.get('Type') ?? '', path: resolveTarget(target) });
  }
  const sheets: WorkbookSheet[] = [];
  for (const attributes of elements(workbookXml, 'sheet')) {
    const rel = rels.get(relationshipId(attributes) ?? '');
    const state = attributes.get('state');
    sheets.push({
      name: attributes.get('name') ?? '',
      hidden: state === 'hidden' || state === 'veryHidden',
      path: rel?.path,
      isWorksheet: rel !== undefined && rel.type.endsWith(REL_TYPE_END.worksheet),
    });
  }
  const byType = (end: string) => [...rels.values()].find((rel) => rel.type.endsWith(end))?.path;
  const workbookPr = elements(workbookXml, 'workbookPr').next().value;
  const date1904 = workbookPr?.get('date1904');
  return {
    sheets,
    sharedStringsPath: byType(REL_TYPE_END.sharedStrings),
    stylesPath: byType(REL_TYPE_END.styles),
    date1904: date1904 === '1' || date1904 === 'true',
  };
}

/** The spec's rule: the sheet named `Customers` (any case), else the first visible worksheet. */
export function chooseCustomerSheet(sheets: WorkbookSheet[]): WorkbookSheet | undefined {
  const worksheets = sheets.filter((sheet) => sheet.isWorksheet);
  return (
    worksheets.find((sheet) => sheet.name.trim().toLowerCase() === 'customers') ?? worksheets.find((sheet) => !sheet.hidden)
  );
}

/** Workbook relationships are relative to `xl/`, or absolute from the package root (openpyxl writes those). */
function resolveTarget(target: string): string {
  const segments = target.startsWith('/') ? [] : ['xl'];
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return segments.join('/');
}

/** The `r:id` attribute, whatever prefix the writer bound the relationships namespace to. */
function relationshipId(attributes: Map<string, string>): string | undefined {
  for (const [name, value] of attributes) {
    if (/^[^:]+:id$/.test(name)) return value;
  }
  return undefined;
}

/** Attributes of each `<name .../>` or `<prefix:name ...>` start tag. */
function* elements(xml: string, name: string): Generator<Map<string, string>> {
  const tag = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${name}(\\s[^>]*)?/?>`, 'g');
  for (const match of xml.matchAll(tag)) {
    const attributes = new Map<string, string>();
    for (const attribute of (match[1] ?? '').matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      attributes.set(attribute[1] ?? '', decodeXml(attribute[2] ?? attribute[3] ?? ''));
    }
    yield attributes;
  }
}

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (entity: string, body: string) => {
    if (body.startsWith('#')) {
      const code = body.startsWith('#x') ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[body] ?? entity;
  });
}
