/** Entry point of `npm run release` (tsx scripts/release/index.ts). */
import { main } from "./cli";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
