import type { StandIn, StandInRequest } from './stand-in';

const GA4_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
const DEBUG_PATH = '/debug/mp/collect';

function handleGa4({ path, url, body, credentials, accept, respond, countRejected }: StandInRequest): void {
  const messages: { fieldPath: string; description: string; validationCode: string }[] = [];
  if (url.searchParams.get('api_secret') !== credentials.ga4ApiSecret)
    messages.push({ fieldPath: 'api_secret', description: 'Unknown api_secret', validationCode: 'VALUE_INVALID' });
  if (url.searchParams.get('firebase_app_id') !== credentials.ga4FirebaseAppId)
    messages.push({
      fieldPath: 'firebase_app_id',
      description: 'Unknown firebase_app_id',
      validationCode: 'VALUE_INVALID',
    });
  if (typeof body.app_instance_id !== 'string' || !/^[0-9a-f]{32}$/.test(body.app_instance_id))
    messages.push({
      fieldPath: 'app_instance_id',
      description: 'app_instance_id must be 32 hex characters',
      validationCode: 'VALUE_INVALID',
    });
  const events = Array.isArray(body.events)
    ? (body.events as { name?: unknown; params?: Record<string, unknown> }[])
    : [];
  if (events.length === 0 || events.length > 25)
    messages.push({
      fieldPath: 'events',
      description: 'between 1 and 25 events per request',
      validationCode: 'VALUE_OUT_OF_BOUNDS',
    });
  for (const [i, event] of events.entries()) {
    if (typeof event.name !== 'string' || !GA4_NAME.test(event.name))
      messages.push({
        fieldPath: `events[${i}].name`,
        description: 'invalid event name',
        validationCode: 'NAME_INVALID',
      });
    const params = Object.entries(event.params ?? {});
    if (params.length > 25)
      messages.push({
        fieldPath: `events[${i}].params`,
        description: 'more than 25 parameters',
        validationCode: 'VALUE_OUT_OF_BOUNDS',
      });
    for (const [key, value] of params) {
      if (typeof value === 'string' && value.length > 100)
        messages.push({
          fieldPath: `events[${i}].params.${key}`,
          description: 'longer than 100 characters',
          validationCode: 'VALUE_OUT_OF_BOUNDS',
        });
    }
  }
  if (path === DEBUG_PATH) return respond(200, { validationMessages: messages });
  // Like GA4, collect answers 2xx whatever it got; what it could not use is dropped silently.
  if (messages.length > 0) countRejected();
  else
    accept(
      events.map((e) => `${String(e.name)}:${typeof e.params?.event_id === 'string' ? e.params.event_id : ''}`),
      // GA4 ties events to a person by user_id alone (the hashed customer id).
      events.map(() => (typeof body.user_id === 'string' ? ['externalId'] : [])),
    );
  respond(204);
}

/** GA4's Measurement Protocol: /mp/collect (2xx whatever it gets) and /debug/mp/collect (says what is wrong). */
export const ga4StandIn: StandIn = {
  platform: 'ga4',
  matches: (path) => path === '/mp/collect' || path === DEBUG_PATH,
  handle: handleGa4,
  neverFails: (path) => path === DEBUG_PATH,
  keepsAbandoned: true,
  deduplicates: false,
};
