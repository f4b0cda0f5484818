/**
 * Request bodies as JSON: parsed with the messages the CLI gives for a malformed file, and
 * refused when nested deeper than any prescient document needs. `JSON.parse` copes with a body of
 * a million `[`, but the schema validation after it recurses: the depth check (iterative) keeps a
 * hostile body from ever reaching it.
 */
import { InputError } from "../core/errors.js";

/** What HTTP errors name as the file the bad input came from. */
export const BODY = "request body";

/** Deepest nesting a body may have: a block's transaction arguments nest a few levels at most. */
export const MAX_BODY_DEPTH = 32;

/** Parse a request body; a syntax error or excessive nesting is an InputError naming the body. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === "") throw new InputError("the body is empty; expected a JSON document", { file: BODY });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`malformed JSON: ${(error as Error).message}`, { file: BODY });
  }
  const tooDeep = deeperThan(json, MAX_BODY_DEPTH);
  if (tooDeep !== undefined) throw new InputError(`nested deeper than ${MAX_BODY_DEPTH} levels`, { file: BODY, field: tooDeep });
  return json;
}

/** The path of the first value nested deeper than `limit`, or undefined. */
function deeperThan(root: unknown, limit: number): string | undefined {
  // Parent links instead of path strings: the path is only built for the offending value.
  interface Frame {
    readonly value: object;
    readonly depth: number;
    readonly parent: Frame | undefined;
    readonly key: string | number;
  }
  if (typeof root !== "object" || root === null) return undefined;
  const stack: Frame[] = [{ value: root, depth: 0, parent: undefined, key: "" }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth >= limit) return pathOf(frame);
    const entries: Iterable<[string | number, unknown]> = Array.isArray(frame.value) ? frame.value.entries() : Object.entries(frame.value);
    for (const [key, child] of entries) {
      if (typeof child === "object" && child !== null) stack.push({ value: child, depth: frame.depth + 1, parent: frame, key });
    }
  }
  return undefined;

  function pathOf(frame: Frame): string {
    let path = "";
    for (let f: Frame | undefined = frame; f?.parent !== undefined; f = f.parent) {
      const head = typeof f.key === "number" ? `[${f.key}]` : f.key;
      path = path === "" || path.startsWith("[") ? `${head}${path}` : `${head}.${path}`;
    }
    return path === "" ? "(root)" : path;
  }
}
