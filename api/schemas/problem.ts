/** The schema of a problem details answer (RFC 9457, api/problem.ts), so the document shows every error's shape. */
import { Type } from '@sinclair/typebox';

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: '`urn:drover:problem:<CODE>`: stable, whatever the wording of `detail`.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'What went wrong and what to do about it.' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          in: Type.Optional(Type.String({ description: 'The part of the request: `body`, `querystring`, `params` or `headers`.' })),
          path: Type.String({ description: 'A JSON Pointer to the refused field within that part.' }),
          message: Type.String(),
        }),
        { description: 'Each refused field of bad input.' },
      ),
    ),
  },
  { additionalProperties: true, description: 'An RFC 9457 problem, served as application/problem+json.' },
);

/** The problem answers of a route, by status. */
export function problemResponses(...statuses: number[]): Record<number, typeof ProblemSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ProblemSchema]));
}
