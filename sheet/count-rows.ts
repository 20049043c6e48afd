import type { Readable } from 'node:stream';

export interface CountRowOptions {
  /** Stop reading once the count exceeds this; the result is then `stopAfter + 1`. Default: count every row. */
  stopAfter?: number;
  /** Throw a RangeError when the XML turns out longer than this many bytes. */
  maxBytes: number;
}

/** A row start tag, with whatever namespace prefix the writer used (`<row `, `<x:row>`, `<row/>`). */
const ROW_TAG = /<(?:[A-Za-z_][\w.-]{0,15}:)?row[\s/>]/g;
/** Longer than any match, so a tag split across chunks is found in the carried-over tail. */
const TAIL_CHARS = 32;

/**
 * Counts `<row>` elements in worksheet XML without parsing it: `<` cannot occur unescaped in
 * text, so every match is a tag. Bytes are read as latin1 because the pattern is ASCII and a
 * multi-byte character split across chunks must not matter.
 */
export async function countRowTags(xml: Readable, options: CountRowOptions): Promise<number> {
  let count = 0;
  let bytes = 0;
  let tail = '';
  try {
    for await (const chunk of xml as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > options.maxBytes) throw new RangeError(`the XML is longer than ${options.maxBytes} bytes`);
      const text = tail + chunk.toString('latin1');
      for (const match of text.matchAll(ROW_TAG)) {
        // A match that ends inside the tail was counted with the previous chunk.
        if (match.index + match[0].length > tail.length) count++;
      }
      if (options.stopAfter !== undefined && count > options.stopAfter) return options.stopAfter + 1;
      tail = text.slice(-TAIL_CHARS);
    }
    return count;
  } finally {
    xml.destroy();
  }
}
