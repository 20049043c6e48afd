/**
 * One call of a Query-protocol API (IAM here, whose client this project does not carry).
 * moto picks the service from the credential scope and does not check the signature.
 */
export async function motoQuery(endpoint: string, service: string, params: Record<string, string>): Promise<string> {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=drover-local/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams(params).toString(),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${service} ${params.Action}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text;
}
