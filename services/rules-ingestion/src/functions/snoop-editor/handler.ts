import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { editorPage } from '../../web/editor-page';
import type { SnoopEditorDeps } from './wiring';

/**
 * The snoop editor's page and its script. Neither holds data, so neither needs a sign-in to fetch: the script signs
 * the person in and calls the definitions API, which checks every call. Served with a strict content security policy
 * (the page's own) and no caching of the page, so a new script is picked up at once.
 */
export function createHandler(deps: SnoopEditorDeps) {
  const page = editorPage(deps.page);
  return async (event: Pick<APIGatewayProxyEvent, 'path'>): Promise<APIGatewayProxyResult> =>
    event.path.endsWith('/editor/app.js')
      ? {
          statusCode: 200,
          headers: {
            'content-type': 'text/javascript; charset=utf-8',
            'cache-control': 'no-cache',
            'x-content-type-options': 'nosniff',
          },
          body: deps.script,
        }
      : {
          statusCode: 200,
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
            'x-content-type-options': 'nosniff',
            'referrer-policy': 'no-referrer',
            'x-frame-options': 'DENY',
          },
          body: page,
        };
}

let built: ReturnType<typeof createHandler> | undefined;
// The wiring (and the bundled script in it) is loaded on the first request: the build inlines it, and the tests,
// which give the handler its script, never load it.
export const handler = async (event: APIGatewayProxyEvent) =>
  (built ??= createHandler((await import('./wiring')).wireSnoopEditor()))(event);
