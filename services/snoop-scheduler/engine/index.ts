// The container's entry point (bundled into dist/engine.js by engine/build.mjs).
import { main } from './main';

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
