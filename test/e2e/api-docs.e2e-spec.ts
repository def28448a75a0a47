import { logLines } from './support/log-file';
import { lintOpenApi } from './support/openapi-lint';
import { useTestApp } from './support/test-app';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}
interface Operation {
  responses: Record<string, { content?: { 'application/json'?: { schema?: Schema } } }>;
}
interface Schema {
  $ref?: string;
  properties?: Record<string, unknown>;
  allOf?: Schema[];
}

/** Every route of the HTTP contract (API.md, and the JSON-RPC endpoint), as OpenAPI spells it. */
const CONTRACT_ROUTES = [
  'post /auth/register',
  'post /auth/login',
  'post /auth/refresh',
  'post /auth/logout',
  'post /auth/logout-all',
  'get /auth/status',
  'get /auth/sessions',
  'delete /auth/sessions/{id}',
  'post /auth/email/verify/request',
  'post /auth/email/verify',
  'post /auth/password/forgot',
  'post /auth/password/reset',
  'post /auth/email/change/confirm',
  'post /users/me/email',
  'get /users/me',
  'patch /users/me',
  'post /users/me/password',
  'delete /users/me',
  'get /users',
  'get /users/{id}',
  'post /users/{id}/disable',
  'post /users/{id}/enable',
  'post /auth/mfa/totp/setup',
  'post /auth/mfa/totp/enable',
  'post /auth/mfa/totp/disable',
  'post /auth/mfa/recovery-codes',
  'post /auth/mfa/verify',
  'post /users/{id}/mfa/reset',
  'get /admin/audit-events',
  'get /users/me/security-events',
  'get /messages',
  'get /messages/{id}',
  'get /messages/stream',
  'post /messages',
  'delete /messages/{id}',
  'get /health',
  'post /rpc',
];

describe('API documentation', () => {
  const testApp = useTestApp();
  let document: OpenApiDocument;

  beforeAll(async () => {
    document = (await testApp.http.get('/docs-json').expect(200)).body as OpenApiDocument;
  });

  /** The properties of a schema, following `$ref` and `allOf` (inherited DTOs). */
  function propertiesOf(schema: Schema | undefined): string[] {
    if (!schema) return [];
    if (schema.$ref)
      return propertiesOf(document.components.schemas[schema.$ref.split('/').pop()!]);
    return [
      ...Object.keys(schema.properties ?? {}),
      ...(schema.allOf ?? []).flatMap((part) => propertiesOf(part)),
    ];
  }

  function responseProperties(route: string, status: string): string[] {
    const [method, path] = route.split(' ');
    const response = document.paths[path!]?.[method!]?.responses[status];
    return propertiesOf(response?.content?.['application/json']?.schema);
  }

  it('serves Swagger UI at /docs', async () => {
    const response = await testApp.http.get('/docs').redirects(1).expect(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.text).toContain('swagger-ui');
  });

  it('documents every route of the contract, each with its success and error answers', () => {
    expect(document.openapi).toMatch(/^3\./);
    for (const route of CONTRACT_ROUTES) {
      const [method, path] = route.split(' ');
      const operation = document.paths[path!]?.[method!];
      expect({ route, documented: operation !== undefined }).toEqual({ route, documented: true });
      const statuses = Object.keys(operation!.responses);
      expect({ route, success: statuses.some((status) => /^2/.test(status)) }).toEqual({
        route,
        success: true,
      });
    }
  });

  it('gives every error answer the API error body', () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (!/^[45]/.test(status) || path === '/health') continue;
          const properties = propertiesOf(response.content?.['application/json']?.schema);
          expect({ route: `${method} ${path} ${status}`, properties }).toEqual({
            route: `${method} ${path} ${status}`,
            properties: expect.arrayContaining(['statusCode', 'error', 'code', 'message']),
          });
        }
      }
    }
  });

  it("lints clean with Redocly's recommended ruleset, warnings included", async () => {
    const problems = await lintOpenApi(document, {
      // /health answers no 4xx: it reports 200 or 503 whatever it is sent.
      'operation-4xx-response': ['#/paths/~1health/get/responses'],
    });
    expect(problems).toEqual([]);
  });

  it('describes each answer with its own schema, even where DTO names could clash', () => {
    expect(responseProperties('get /messages/{id}', '200')).toEqual(
      expect.arrayContaining(['id', 'message', 'email', 'userId', 'createdAt', 'expiresAt']),
    );
    expect(responseProperties('post /auth/logout', '200')).toEqual(['message']);
    expect(responseProperties('post /auth/password/forgot', '202')).toEqual(['message']);
    expect(responseProperties('post /auth/mfa/totp/disable', '200')).toEqual(['message']);
    expect(responseProperties('get /users/me', '200')).toEqual(
      expect.arrayContaining(['id', 'email', 'firstName', 'lastName', 'role', 'createdAt']),
    );
  });

  it('names no two answer schemas alike (Swagger would keep one for both)', () => {
    const clashes = logLines(testApp)
      .map((line) => String(line.msg ?? ''))
      .filter((message) => message.startsWith('Duplicate DTO detected'));
    expect(clashes).toEqual([]);
  });
});
