/**
 * `npm run blueprint -- list` lists the built-in blueprints.
 * `npm run blueprint -- show <name>` prints a built-in blueprint fully resolved with its
 * defaults, as YAML that synthesizes unchanged when fed back with BLUEPRINT=<file>.
 */
import { stringify } from "yaml";
import { ConfigError, parseBlueprint } from "../config";
import { BUILT_IN_BLUEPRINTS } from "../config/blueprints";

export function showBlueprint(name: string): string {
  const input = BUILT_IN_BLUEPRINTS[name];
  if (!input) {
    throw new ConfigError(
      `blueprint "${name}" is not built in (${Object.keys(BUILT_IN_BLUEPRINTS).join(", ")})`,
    );
  }
  const resolved = parseBlueprint(structuredClone(input), `blueprints.${name}`);
  return `# Blueprint ${name}, resolved with defaults. Use it with BLUEPRINT=<this file>.\n${stringify(resolved, { lineWidth: 0 })}`;
}

export function main(argv: string[]): string {
  const [command, name] = argv;
  if (command === "list") return Object.keys(BUILT_IN_BLUEPRINTS).join("\n");
  if (command === "show" && name) return showBlueprint(name);
  throw new ConfigError("usage: npm run blueprint -- list | show <name>");
}

if (require.main === module) {
  try {
    console.log(main(process.argv.slice(2)));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
