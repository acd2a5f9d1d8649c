export default async function globalTeardown() {
  await globalThis.__GOP_STOP_DB__?.();
}
