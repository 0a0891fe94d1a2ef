import http from 'node:http';

/** What a lean client got back: the headers and the body text of a 2xx answer. */
export interface LeanAnswer {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A JSON POST with node:http on a keep-alive agent, no SDK: what the gateway adds without
 * charging it for the SDK client's own CPU. Rejects with the body of a non-2xx answer.
 */
export function leanPost(
  agent: http.Agent,
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<LeanAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          res.statusCode! < 300 ? resolve({ headers: res.headers, body: text }) : reject(new Error(text)),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
