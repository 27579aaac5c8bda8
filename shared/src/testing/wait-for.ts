/** Polls until `probe` returns a value (not undefined), or fails with what was being waited for. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
  throw new Error(
    `timed out after ${options.timeoutMs ?? 30_000} ms waiting for ${what}` +
      (lastError instanceof Error ? ` (last error: ${lastError.message})` : ''),
  );
}
