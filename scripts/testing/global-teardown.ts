export default async function globalTeardown(): Promise<void> {
  await globalThis.offlineFleet?.stop();
  await Promise.all((globalThis.localProcesses ?? []).map((p) => p.stop()));
}
