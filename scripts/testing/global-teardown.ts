export default async function globalTeardown(): Promise<void> {
  await globalThis.offlineFleet?.stop();
  await globalThis.marketingSandbox?.close();
}
