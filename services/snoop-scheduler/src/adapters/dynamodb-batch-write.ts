/**
 * DynamoDB's BatchWriteItem as one signed HTTP request (SigV4, dynamodb-request-signer.ts; kept-alive connections),
 * without the SDK client's per-call middleware. The rules engine writes one item per evaluation, so per item is where
 * its CPU goes: on this machine the document client costs about 40 microseconds of CPU per item, the plain client with
 * items marshalled by hand about 27, and this about 5 when the engine is busy (npm run bench:engine shows the engine's
 * total; README, "Its speed"). The SDK still
 * provides the credentials (its provider chain: the task role in ECS, refreshed before expiry) and does every other
 * call the engine makes.
 */
import { createDynamoDbRequestSigner } from './dynamodb-request-signer';
import { openOrigin, requestText } from './http-request';

/**
 * An item as DynamoDB's JSON (`{"customerId":{"S":"c-1"},...}`), serialised once by its writer: the request body is
 * these joined, with no object built per attribute.
 */
export type ItemJson = string;

/** Writes the items to the table; returns those DynamoDB left unprocessed (throttled), to be sent again. */
export type BatchWriteItem = (table: string, items: readonly ItemJson[]) => Promise<ItemJson[]>;

/** A request DynamoDB refused for what it is (validation, access): sending it again would fail again. */
export class DynamoDbRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'DynamoDbRequestError';
  }
}

/** DynamoDB's answers that mean "not now": the items are sent again after a backoff. */
const THROTTLED = /(ThrottlingException|ProvisionedThroughputExceededException|RequestLimitExceeded)$/;

export interface SignedBatchWriteOptions {
  region: string;
  /** The local cloud's endpoint; in AWS unset (the regional endpoint). */
  endpoint?: string;
  /** The SDK's credential provider (a client's config.credentials): refreshed before they expire. */
  credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  /** Each request is abandoned after this long (the run fence counts on it). */
  requestTimeoutMs: number;
}

export function createSignedBatchWrite(options: SignedBatchWriteOptions): BatchWriteItem {
  const url = new URL(options.endpoint ?? `https://dynamodb.${options.region}.amazonaws.com`);
  const origin = openOrigin(url, 64);
  const sign = createDynamoDbRequestSigner({ region: options.region, host: url.host });

  return async (table, items) => {
    // Encoded once: the same bytes are hashed for the signature and sent.
    const body = Buffer.from(
      `{"RequestItems":{${JSON.stringify(table)}:[${items.map((item) => `{"PutRequest":{"Item":${item}}}`).join(',')}]}}`,
    );
    const headers = sign('DynamoDB_20120810.BatchWriteItem', body, await options.credentials());
    const { status, text } = await requestText(
      origin,
      '/',
      { headers, timeoutMs: options.requestTimeoutMs },
      body,
    ).catch((error: unknown) => {
      throw new Error(`DynamoDB: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (status === 200) {
      const answer = JSON.parse(text) as { UnprocessedItems?: Record<string, { PutRequest: { Item: unknown } }[]> };
      return (answer.UnprocessedItems?.[table] ?? []).map((put) => JSON.stringify(put.PutRequest.Item));
    }
    let code = `HTTP ${status}`;
    let message = text.slice(0, 300);
    try {
      const error = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
      code = error.__type ?? code;
      message = error.message ?? error.Message ?? message;
    } catch {
      // Not JSON (a proxy's page): the status and the start of the text say enough.
    }
    // Throttled, or DynamoDB failed: nothing was written for sure, so everything goes again.
    if (status >= 500 || THROTTLED.test(code)) return [...items];
    throw new DynamoDbRequestError(`DynamoDB refused BatchWriteItem on ${table}: ${code}: ${message}`, status, code);
  };
}
