/** The contents of every `\command{...}` in `text` (nested braces included), in order; unclosed ones are skipped. */
export function findBraced(text: string, commands: readonly string[]): { content: string; start: number; end: number }[] {
  const found: { content: string; start: number; end: number }[] = [];
  const pattern = new RegExp(`\\\\(?:${commands.join("|")})\\s*\\{`, "g");
  for (const match of text.matchAll(pattern)) {
    const open = (match.index ?? 0) + match[0].length - 1;
    let depth = 0;
    for (let index = open; index < text.length; index++) {
      if (text[index] === "{") depth++;
      else if (text[index] === "}" && --depth === 0) {
        found.push({ content: text.slice(open + 1, index), start: match.index ?? 0, end: index + 1 });
        break;
      }
    }
  }
  return found;
}

/** `text` with each `\command{x}` replaced by `x` (nested braces included), repeatedly. */
export function unwrapCommands(text: string, commands: readonly string[]): string {
  let result = text;
  for (let guard = 0; guard < 8; guard++) {
    const first = findBraced(result, commands)[0];
    if (!first) return result;
    result = result.slice(0, first.start) + first.content + result.slice(first.end);
  }
  return result;
}
