/** Just enough of a MIME parser for the tests to read what compose.ts builds. */
export interface MimePart {
  /** Lower-case header names; folded lines unfolded. */
  headers: Record<string, string>;
  /** The body with its Content-Transfer-Encoding undone. */
  body: Buffer;
  parts: MimePart[];
}

export function parseMime(raw: string): MimePart {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const rest = split < 0 ? '' : raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const boundary = /boundary="([^"]+)"/.exec(headers['content-type'] ?? '')?.[1];
  if (boundary) {
    const chunks = rest.split(`--${boundary}`).slice(1, -1);
    return { headers, body: Buffer.alloc(0), parts: chunks.map((c) => parseMime(c.replace(/^\r\n/, '').replace(/\r\n$/, ''))) };
  }
  return { headers, body: decode(rest, headers['content-transfer-encoding'] ?? '7bit'), parts: [] };
}

function decode(body: string, encoding: string): Buffer {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (encoding === 'quoted-printable') {
    const joined = body.replace(/=\r\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < joined.length; i++) {
      const hex = joined.slice(i + 1, i + 3);
      if (joined[i] === '=' && /^[0-9A-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(joined[i] ?? ''));
      }
    }
    return Buffer.from(bytes);
  }
  return Buffer.from(body);
}
