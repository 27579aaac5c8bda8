import { createSignatureVerifier, SIGNATURE_HEADERS, SIGNATURE_WINDOW_MS, signatureHeaders } from './signed-requests';

const NOW = 1_800_000_000_000;
const request = { method: 'POST', path: '/evaluate?run=r-1', body: '{"customerId":"c-1"}' };

/** A verifier at a clock the test moves, with the secrets it is given. */
function verifierAt(secrets: string[], windowMs?: number) {
  const clock = { now: NOW };
  const verify = createSignatureVerifier({
    secrets: async () => secrets,
    now: () => clock.now,
    ...(windowMs === undefined ? {} : { windowMs }),
  });
  return { clock, verify };
}

describe('signed requests', () => {
  it('are accepted once, signed by the current secret or the previous one during a rotation', async () => {
    const { verify } = verifierAt(['current', 'previous']);
    for (const secret of ['current', 'previous']) {
      const headers = signatureHeaders(secret, request, NOW);
      expect(await verify({ ...request, headers })).toEqual({ ok: true });
      expect(await verify({ ...request, headers })).toEqual({
        ok: false,
        reason: 'this request was sent already (a replay)',
      });
    }
  });

  it('sign the method whatever its case, and two identical requests are two (a nonce each)', async () => {
    const { verify } = verifierAt(['s']);
    const first = signatureHeaders('s', { ...request, method: 'post' }, NOW);
    const second = signatureHeaders('s', request, NOW);
    expect(first[SIGNATURE_HEADERS.nonce]).not.toBe(second[SIGNATURE_HEADERS.nonce]);
    expect(first[SIGNATURE_HEADERS.time]).toBe(String(NOW));
    expect(await verify({ ...request, headers: first })).toEqual({ ok: true });
    expect(await verify({ ...request, headers: second })).toEqual({ ok: true });
  });

  it.each([
    ['another secret', () => signatureHeaders('other', request, NOW), request],
    ['another method', () => signatureHeaders('s', request, NOW), { ...request, method: 'PUT' }],
    ['another path', () => signatureHeaders('s', request, NOW), { ...request, path: '/evaluate?run=r-2' }],
    ['another body', () => signatureHeaders('s', request, NOW), { ...request, body: '{"customerId":"c-2"}' }],
    [
      'another time than signed',
      () => ({ ...signatureHeaders('s', request, NOW), [SIGNATURE_HEADERS.time]: String(NOW + 1) }),
      request,
    ],
    [
      'another nonce than signed',
      () => ({ ...signatureHeaders('s', request, NOW), [SIGNATURE_HEADERS.nonce]: 'n' }),
      request,
    ],
    [
      'a shortened signature',
      () => {
        const headers = signatureHeaders('s', request, NOW);
        return { ...headers, [SIGNATURE_HEADERS.signature]: headers[SIGNATURE_HEADERS.signature]!.slice(0, 20) };
      },
      request,
    ],
  ])('are refused with %s', async (_, sign, received) => {
    const { verify } = verifierAt(['s']);
    expect(await verify({ ...received, headers: sign() })).toEqual({
      ok: false,
      reason: 'the signature does not match the request',
    });
  });

  it.each([SIGNATURE_HEADERS.time, SIGNATURE_HEADERS.nonce, SIGNATURE_HEADERS.signature])(
    'are refused as unsigned without %s, or with it twice',
    async (name) => {
      const { verify } = verifierAt(['s']);
      const headers: Record<string, string | string[] | undefined> = signatureHeaders('s', request, NOW);
      const unsigned = {
        ok: false,
        reason: 'unsigned: send x-backbone-time, x-backbone-nonce, x-backbone-signature',
      };
      expect(await verify({ ...request, headers: { ...headers, [name]: undefined } })).toEqual(unsigned);
      expect(await verify({ ...request, headers: { ...headers, [name]: '' } })).toEqual(unsigned);
      expect(await verify({ ...request, headers: { ...headers, [name]: [headers[name] as string] } })).toEqual(
        unsigned,
      );
    },
  );

  it('are accepted up to the window either way of the clock, and refused beyond it', async () => {
    const { verify } = verifierAt(['s'], 60_000);
    const stale = { ok: false, reason: "the request's time is more than 1 minutes from the server's" };
    expect(await verify({ ...request, headers: signatureHeaders('s', request, NOW - 60_000) })).toEqual({ ok: true });
    expect(await verify({ ...request, headers: signatureHeaders('s', request, NOW + 60_000) })).toEqual({ ok: true });
    expect(await verify({ ...request, headers: signatureHeaders('s', request, NOW - 60_001) })).toEqual(stale);
    expect(await verify({ ...request, headers: signatureHeaders('s', request, NOW + 60_001) })).toEqual(stale);
    const fractional = { ...signatureHeaders('s', request, NOW), [SIGNATURE_HEADERS.time]: `${NOW}.5` };
    expect(await verify({ ...request, headers: fractional })).toEqual(stale);
  });

  it('have a window of five minutes unless told otherwise', async () => {
    expect(SIGNATURE_WINDOW_MS).toBe(300_000);
    const { verify } = verifierAt(['s']);
    expect(await verify({ ...request, headers: signatureHeaders('s', request, NOW - 300_000) })).toEqual({ ok: true });
    expect(await verify({ ...request, headers: signatureHeaders('s', request, NOW - 300_001) })).toMatchObject({
      reason: "the request's time is more than 5 minutes from the server's",
    });
  });

  it('are remembered while within the window: a replay is refused until its time is stale', async () => {
    const { clock, verify } = verifierAt(['s'], 60_000);
    const headers = signatureHeaders('s', request, NOW);
    expect(await verify({ ...request, headers })).toEqual({ ok: true });
    clock.now = NOW + 60_000;
    // Another request's check forgets nothing still within the window.
    expect(await verify({ ...request, headers: signatureHeaders('s', request, clock.now) })).toEqual({ ok: true });
    expect(await verify({ ...request, headers })).toMatchObject({ reason: 'this request was sent already (a replay)' });
  });
});

describe('the memory of signatures seen', () => {
  it('holds at most maxRemembered, forgetting the oldest first (a flood ages out its own entries)', async () => {
    const verify = createSignatureVerifier({ secrets: async () => ['s'], now: () => NOW, maxRemembered: 2 });
    const [first, second, third] = [1, 2, 3].map((n) => signatureHeaders('s', { ...request, path: `/${n}` }, NOW));
    for (const [headers, path] of [
      [first, '/1'],
      [second, '/2'],
      [third, '/3'],
    ] as const)
      expect(await verify({ ...request, path, headers: headers! })).toEqual({ ok: true });
    const replay = { ok: false, reason: 'this request was sent already (a replay)' };
    expect(await verify({ ...request, path: '/2', headers: second! })).toEqual(replay);
    expect(await verify({ ...request, path: '/3', headers: third! })).toEqual(replay);
    expect(await verify({ ...request, path: '/1', headers: first! })).toEqual({ ok: true });
  });
});
