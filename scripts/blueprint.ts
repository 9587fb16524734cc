/**
 * `npm run blueprint -- list` lists the built-in blueprints.
 * `npm run blueprint -- show <name|file> [--environment <env>]` prints a blueprint fully resolved
 * with its defaults (and, with --environment, that environment's overrides merged), as YAML that
 * synthesizes unchanged when fed back with BLUEPRINT=<file>.
 */
import { stringify } from "yaml";
import { ConfigError, resolveBlueprint } from "../config";
import { BUILT_IN_BLUEPRINTS } from "../config/blueprints";

export function showBlueprint(ref: string, environment?: string): string {
  if (!(ref in BUILT_IN_BLUEPRINTS) && !/\.(ya?ml|json)$/i.test(ref)) {
    throw new ConfigError(
      `blueprint "${ref}" is not built in (${Object.keys(BUILT_IN_BLUEPRINTS).join(", ")}) nor a .yaml/.yml/.json file`,
    );
  }
  const resolved = resolveBlueprint(ref, environment ?? "dev");
  const which = environment ? `, environment ${environment}` : "";
  return `# Blueprint ${ref}${which}, resolved with defaults. Use it with BLUEPRINT=<this file>.\n${stringify(resolved, { lineWidth: 0 })}`;
}

export function main(argv: string[]): string {
  const [command, name, ...rest] = argv;
  if (command === "list") return Object.keys(BUILT_IN_BLUEPRINTS).join("\n");
  const flag = rest.findIndex((a) => a === "--environment" || a.startsWith("--environment="));
  const environment =
    flag < 0 ? undefined : rest[flag].includes("=") ? rest[flag].split("=")[1] : rest[flag + 1];
  const unknown = rest.filter(
    (_, i) => i !== flag && !(flag >= 0 && i === flag + 1 && !rest[flag].includes("=")),
  );
  if (command === "show" && name && (flag < 0 || environment) && unknown.length === 0)
    return showBlueprint(name, environment);
  throw new ConfigError("usage: npm run blueprint -- list | show <name|file> [--environment <name>]");
}

if (require.main === module) {
  try {
    console.log(main(process.argv.slice(2)));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
