/**
 * A Lambda handler whose parts (clients, configuration, secrets) are built on its first invocation and
 * reused by every later one in the same container. A build that fails (a missing setting, SSM unreachable)
 * is not kept: the invocation fails, and the next one builds again instead of failing for ever.
 *
 *   export const handler = buildOncePerContainer(async () => createDispatchHandler(await wireDispatcher()));
 *
 * Building lazily, not at import time, also lets unit tests import a handler file without a network.
 */
export function buildOncePerContainer<TEvent, TResult, TContext>(
  build: () => Promise<(event: TEvent, context: TContext) => Promise<TResult>>,
): (event: TEvent, context: TContext) => Promise<TResult> {
  let built: Promise<(event: TEvent, context: TContext) => Promise<TResult>> | undefined;
  return async (event, context) => {
    const building = (built ??= build());
    let handler: (event: TEvent, context: TContext) => Promise<TResult>;
    try {
      handler = await building;
    } catch (error) {
      // Only the build that failed is forgotten; a concurrent caller may already have started another.
      if (built === building) built = undefined;
      throw error;
    }
    return handler(event, context);
  };
}
