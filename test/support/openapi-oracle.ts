/**
 * An OpenAPI 3.1 document as a test oracle: its operations, and whether an answer keeps to
 * what the document declares for its operation (the status, and the body against the
 * status's schema, a JSON Schema 2020-12 checked with Ajv's 2020 draft), with every error
 * an RFC 9457 problem.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from './schema-arbitrary.js';

// ajv-formats is CommonJS; under Node's ESM its default export is the plugin itself.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface ResponseDoc {
  description?: string;
  content?: Record<string, { schema?: JsonSchema }>;
}

export interface Operation {
  method: string;
  path: string;
  operationId?: string;
  parameters: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, ResponseDoc>;
  security?: unknown[];
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ ...item[m]!, parameters: item[m]!.parameters ?? [], method: m.toUpperCase(), path })),
  );
}

export const label = (op: Pick<Operation, 'method' | 'path'>) => `${op.method} ${op.path}`;

/** What came back: the status, the media type (no parameters) and the body's text. */
export interface Answer {
  status: number;
  mediaType: string;
  text: string;
}

/** Why an answer breaks the document; empty when it keeps to it. */
export class Oracle {
  private readonly ajv = addFormats(new Ajv2020({ allErrors: true, strict: false, validateFormats: true }));
  private readonly compiled = new Map<JsonSchema, ValidateFunction>();

  private validator(schema: JsonSchema): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(schema, validate);
    }
    return validate;
  }

  check(op: Operation, answer: Answer): string[] {
    const problems: string[] = [];
    if (answer.status >= 500) problems.push(`a ${answer.status}: ${answer.text.slice(0, 500)}`);
    const declared = op.responses[String(answer.status)];
    if (!declared) problems.push(`status ${answer.status} is not one the document declares (${Object.keys(op.responses).join(', ')})`);

    let body: unknown;
    const isJson = /^application\/(.+\+)?json$/.test(answer.mediaType);
    if (isJson) {
      try {
        body = JSON.parse(answer.text);
      } catch {
        problems.push(`the body is not the JSON its Content-Type (${answer.mediaType}) says: ${answer.text.slice(0, 200)}`);
        return problems;
      }
    }

    if (answer.status >= 400) {
      if (answer.mediaType !== 'application/problem+json') problems.push(`an error served as ${answer.mediaType || '(no Content-Type)'}, not application/problem+json: ${answer.text.slice(0, 300)}`);
      const p = body as Record<string, unknown> | undefined;
      const shapeOk = typeof p === 'object' && p !== null && typeof p.type === 'string' && typeof p.title === 'string' && p.status === answer.status && typeof p.detail === 'string';
      if (!shapeOk) problems.push(`the error body is no problem with type, title, status ${answer.status} and detail: ${answer.text.slice(0, 300)}`);
    }

    if (declared) {
      const media = declared.content ?? {};
      const types = Object.keys(media);
      if (types.length === 0) {
        if (answer.text.length > 0) problems.push(`status ${answer.status} declares no body, and one came: ${answer.text.slice(0, 200)}`);
      } else {
        if (!types.includes(answer.mediaType)) problems.push(`a ${answer.status} served as ${answer.mediaType || '(no Content-Type)'}; the document declares ${types.join(', ')}`);
        // The body against the schema of its media type, or else of the one JSON type declared, so a wrong shape shows too.
        const schema = media[answer.mediaType]?.schema ?? (isJson ? types.filter((t) => /json$/.test(t)).map((t) => media[t]!.schema)[0] : undefined);
        if (schema) {
          const validate = this.validator(schema);
          if (!validate(isJson ? body : answer.text)) problems.push(`the ${answer.status} body breaks its schema: ${this.ajv.errorsText(validate.errors, { separator: '; ' })}: ${answer.text.slice(0, 300)}`);
        }
      }
    }
    return problems;
  }
}
