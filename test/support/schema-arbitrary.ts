/**
 * fast-check arbitraries from JSON Schemas (the subset TypeBox makes: types, enums, anyOf,
 * patterns, formats, bounds, objects and arrays): `validValue` makes values a schema accepts,
 * mostly, and `hostileValue` the values a careless or malicious client sends instead.
 */
import fc from 'fast-check';

export type JsonSchema = Record<string, unknown>;
/** Arbitraries used instead of the schema's for an object property of that name (side effects kept in bounds). */
export type Overrides = Record<string, fc.Arbitrary<unknown>>;

const SHORT = 24;
/** A lone surrogate now and then: JSON carries it (`"\\ud800"`), and neither PostgreSQL's jsonb nor protobuf's UTF-8 strings take it. */
const withLoneSurrogates = fc.oneof({ weight: 8, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff') });
const unicodeText = (minLength: number, maxLength: number) =>
  fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.string({ unit: 'grapheme', minLength, maxLength }),
    fc.string({ unit: 'binary', minLength, maxLength }),
    fc.string({ unit: withLoneSurrogates, minLength, maxLength }),
  );

/** Strings matching `pattern`; lookaheads (which fast-check cannot generate from) are left out of the generator and kept in the filter. */
function matching(pattern: string, minLength: number, maxLength: number): fc.Arbitrary<string> {
  const full = new RegExp(pattern, 'u');
  const within = (s: string) => full.test(s) && [...s].length >= minLength && [...s].length <= maxLength;
  try {
    return fc.stringMatching(new RegExp(pattern.replace(/\(\?[!=][^)]*\)/g, ''))).filter(within);
  } catch {
    return fc.string({ minLength, maxLength }).filter(within);
  }
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = (schema.maxLength as number | undefined) ?? 10_000;
  switch (schema.format) {
    case 'date-time':
      return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2035-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date':
      return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2035-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress().filter((s) => s.length <= maxLength);
    default:
      if (typeof schema.pattern === 'string') return matching(schema.pattern, minLength, maxLength);
      return unicodeText(minLength, Math.min(maxLength, Math.max(minLength, SHORT)));
  }
}

function numberOf(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = (schema.minimum as number | undefined) ?? -1_000_000;
  const max = (schema.maximum as number | undefined) ?? 1_000_000;
  const step = schema.multipleOf as number | undefined;
  if (step) return fc.integer({ min: Math.ceil(min / step), max: Math.floor(max / step) }).map((n) => n * step);
  if (integer) return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

function objectOf(schema: JsonSchema, overrides: Overrides, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
  const required = (schema.required as string[] | undefined) ?? [];
  const names = Object.keys(properties);
  let arb: fc.Arbitrary<Record<string, unknown>>;
  if (names.length > 0) {
    const model = Object.fromEntries(names.map((name) => [name, overrides[name] ?? validValue(properties[name]!, overrides, depth + 1)]));
    arb = fc.record(model, { requiredKeys: required.filter((r) => names.includes(r)) }) as fc.Arbitrary<Record<string, unknown>>;
  } else {
    const extra = schema.additionalProperties;
    const values = typeof extra === 'object' && extra !== null && Object.keys(extra).length > 0 ? validValue(extra as JsonSchema, overrides, depth + 1) : fc.jsonValue({ maxDepth: 2 });
    arb = fc.dictionary(unicodeText(1, 16), values, { maxKeys: 4 });
  }
  const minProperties = (schema.minProperties as number | undefined) ?? 0;
  return minProperties > 0 ? arb.filter((o) => Object.keys(o).length >= minProperties) : arb;
}

/** Values `schema` accepts (a pattern or format the generator cannot honour may slip, and then the server says 400). */
export function validValue(schema: JsonSchema, overrides: Overrides = {}, depth = 0): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const choices = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (choices) return fc.oneof(...choices.map((c) => validValue(c, overrides, depth)));
  const type = schema.type;
  if (Array.isArray(type)) return fc.oneof(...type.map((t) => validValue({ ...schema, type: t }, overrides, depth)));
  switch (type) {
    case 'string':
      return stringOf(schema);
    case 'integer':
      return numberOf(schema, true);
    case 'number':
      return numberOf(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = (schema.minItems as number | undefined) ?? 0;
      const maxLength = Math.max(minLength, Math.min((schema.maxItems as number | undefined) ?? 3, 3));
      return fc.array(validValue((schema.items as JsonSchema | undefined) ?? {}, overrides, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return objectOf(schema, overrides, depth);
    default:
      return depth > 3 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
  }
}

/**
 * What no schema should take without a 4xx: other types, nulls, empty and huge strings, NUL,
 * lone surrogates, right-to-left marks, placeholders, path and SQL text, deep and wide JSON.
 */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, '', ' ', '0', 'null', '[]', '{}', 'true'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfff', '\u202eevil', '💥'.repeat(300), '../../etc/passwd', "x'; drop table jobs; --", '{{scheduledDate}}', '{{nope}}', '%00', '%ZZ', '\r\nX-Injected: 1'),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 5 }),
  fc.object({ maxDepth: 2 }),
  fc.constant(Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`k${i}`, i]))),
  fc.constant(JSON.parse('['.repeat(2_000) + ']'.repeat(2_000)) as unknown),
);

/** A valid object with one property made hostile, one required property dropped, or an unknown one added. */
export function mutatedObject(schema: JsonSchema, valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const properties = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
  const required = (schema.required as string[] | undefined) ?? [];
  return fc.tuple(valid, fc.nat(), hostileValue, fc.constantFrom('replace', 'drop', 'add')).map(([value, pick, bad, how]) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad;
    const out: Record<string, unknown> = { ...value };
    const names = how === 'drop' ? required : properties;
    const name = names.length > 0 ? names[pick % names.length]! : 'unexpected';
    if (how === 'drop') delete out[name];
    else if (how === 'add') out[`x-unknown-${pick % 7}`] = bad;
    else out[name] = bad;
    return out;
  });
}
