/** Magic numbers of files people upload by mistake, and what to tell them. */
const SIGNATURES: { bytes: number[]; looksLike: string }[] = [
  { bytes: [0x25, 0x50, 0x44, 0x46], looksLike: 'a PDF document' },
  { bytes: [0x1f, 0x8b], looksLike: 'a gzip archive' },
  { bytes: [0x52, 0x61, 0x72, 0x21], looksLike: 'a RAR archive' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf], looksLike: 'a 7-Zip archive' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], looksLike: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], looksLike: 'a JPEG image' },
  { bytes: [0x7b, 0x5c, 0x72, 0x74, 0x66], looksLike: 'an RTF document' },
];

/** Says what a file that is not a zip archive looks like, from its first bytes. */
export function describeContent(head: Buffer): string {
  for (const { bytes, looksLike } of SIGNATURES) {
    if (bytes.every((byte, i) => head[i] === byte)) return looksLike;
  }
  const text = decodeText(head);
  if (text === undefined) {
    const hex = [...head.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
    return `unrecognised binary data (it starts with bytes ${hex})`;
  }
  const start = text.trimStart().slice(0, 200).toLowerCase();
  if (start.startsWith('<?xml') && start.includes('urn:schemas-microsoft-com:office:spreadsheet')) {
    return 'an Excel 2003 XML spreadsheet';
  }
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'an HTML page (an "Excel" export from a web page?)';
  if (start.startsWith('<')) return 'an XML or HTML text file';
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  if (/[,;\t|]/.test(firstLine)) return 'a CSV or other delimited text file';
  return 'a plain text file';
}

/** The bytes as text when they read as UTF-8 (BOM and UTF-16 included) without control characters. */
function decodeText(head: Buffer): string | undefined {
  let text: string;
  if (head[0] === 0xff && head[1] === 0xfe) text = head.subarray(2).toString('utf16le');
  else if (head[0] === 0xfe && head[1] === 0xff) {
    text = Buffer.from(head.subarray(2, head.length - (head.length % 2))).swap16().toString('utf16le');
  }
  else {
    // A multi-byte character cut at the end of the sample is not evidence of binary data.
    text = new TextDecoder('utf-8', { fatal: false }).decode(head).replace(/\uFFFD{1,3}$/, '');
    if (text.startsWith('\uFEFF')) text = text.slice(1);
  }
  return /[\u0000-\u0008\u000E-\u001F\uFFFD]/.test(text) ? undefined : text;
}
