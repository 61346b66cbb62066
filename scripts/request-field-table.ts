/**
 * The README's table of request fields, from the tables the server reads (`src/server/request-fields.ts`,
 * `responses-protocol.ts`, `messages-protocol.ts`): `npx tsx scripts/request-field-table.ts` prints it;
 * `test/request-fields.test.ts` checks the README holds it as printed.
 */
import { fileURLToPath } from "node:url";
import { messagesFields } from "../src/server/messages-protocol.js";
import { chatFields, completionFields, type FieldRule } from "../src/server/request-fields.js";
import { responsesFields } from "../src/server/responses-protocol.js";

const routes: [string, Record<string, FieldRule>][] = [
  ["chat", chatFields],
  ["completions", completionFields],
  ["responses", responsesFields],
  ["messages", messagesFields],
];

const uses: Record<FieldRule["use"], string> = {
  run: "read by the server",
  call: "honoured",
  upstream: "forwarded (an upstream's extension; refused by mull's own models)",
  label: "accepted (forwarded to upstreams)",
  accepted: "accepted",
  refused: "refused (400)",
};

export function fieldTable(): string {
  const names = [...new Set(routes.flatMap(([, fields]) => Object.keys(fields)))].sort();
  const rows = names.map((name) => {
    const where = routes.filter(([, fields]) => name in fields);
    const rules = where.map(([route, fields]) => ({ route, rule: fields[name] as FieldRule }));
    const same = rules.every(({ rule }) => rule.use === rules[0]?.rule.use && rule.note === rules[0]?.rule.note);
    const what = same
      ? `${uses[rules[0]?.rule.use ?? "run"]}: ${rules[0]?.rule.note ?? ""}`
      : rules.map(({ route, rule }) => `${route}: ${uses[rule.use]}: ${rule.note}`).join("; ");
    return `| \`${name}\` | ${where.map(([route]) => route).join(", ")} | ${what.replaceAll("|", "\\|")} |`;
  });
  return ["| field | routes | what mull does |", "|---|---|---|", ...rows].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(fieldTable());
