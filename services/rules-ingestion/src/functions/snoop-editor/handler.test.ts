import { createHandler } from './handler';

const handler = createHandler({
  page: { signInUrl: 'https://staff.auth.eu-west-1.amazoncognito.com', clientId: 'editor-client</script>' },
  script: 'console.log("editor")',
});

describe('the snoop editor page', () => {
  it('serves the page with a policy that lets it run only its own script and talk to its API and the sign-in', async () => {
    const answer = await handler({ path: '/editor' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
    });
    expect(answer.body).toContain(
      "script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' https://staff.auth.eu-west-1.amazoncognito.com;",
    );
    expect(answer.body).toContain('<script src="editor/app.js"></script>');
    // The settings cannot close their script element, whatever they hold.
    expect(answer.body).toContain('"clientId":"editor-client\\u003c/script>"');
    expect(answer.body.match(/<\/script>/g)).toHaveLength(2);
  });

  it('serves the bundled script beside it, at any stage prefix', async () => {
    for (const path of ['/editor/app.js', '/dev/editor/app.js']) {
      const answer = await handler({ path });
      expect(answer).toMatchObject({
        statusCode: 200,
        headers: { 'content-type': 'text/javascript; charset=utf-8', 'x-content-type-options': 'nosniff' },
        body: 'console.log("editor")',
      });
    }
  });
});
