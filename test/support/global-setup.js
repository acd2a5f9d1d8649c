// Jest loads global setup outside its ESM transform, so the TypeScript helpers are loaded with tsx.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { setupTestDatabase } = await tsImport('./setup-database.ts', import.meta.url);
  globalThis.__GOP_STOP_DB__ = await setupTestDatabase();
}
