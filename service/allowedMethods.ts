/**
 * The methods each route answers, recorded as routes are added, so that a request fastify finds
 * no route for is told apart: a known path with a wrong method is a 405 with an `Allow` header
 * (RFC 9110 §15.5.6), an unknown path a 404.
 */
import type { FastifyInstance } from "fastify";

/** A route pattern as a regular expression over a request's path: `:name` one segment, `*` the rest. */
function patternOf(url: string): RegExp {
  let source = "";
  for (const part of url.split(/(:[A-Za-z0-9_]+|\*)/)) {
    if (part === "*") source += ".*";
    else if (part.startsWith(":")) source += "[^/]+";
    else source += part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

export class AllowedMethods {
  readonly #routes = new Map<string, { readonly pattern: RegExp; readonly methods: Set<string> }>();

  /** Record every route `app` gets from now on (call before registering them). */
  static watch(app: FastifyInstance): AllowedMethods {
    const allowed = new AllowedMethods();
    app.addHook("onRoute", (route) => allowed.add(route.url ?? route.path, route.method));
    return allowed;
  }

  add(url: string, method: string | readonly string[]): void {
    let route = this.#routes.get(url);
    if (route === undefined) this.#routes.set(url, (route = { pattern: patternOf(url), methods: new Set() }));
    for (const m of typeof method === "string" ? [method] : method) route.methods.add(m.toUpperCase());
  }

  /** The methods the routes matching `path` answer, sorted (none: no route has this path). */
  for(path: string): string[] {
    const methods = new Set<string>();
    for (const { pattern, methods: answered } of this.#routes.values()) if (pattern.test(path)) for (const m of answered) methods.add(m);
    return [...methods].sort();
  }
}
