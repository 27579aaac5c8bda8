// Lints snippets of code as if they stood at the given paths, with the repository's own ESLint configuration,
// in a process of its own (ESLint loads its configuration with import(), which Jest's module sandbox cannot).
// stdin: [{"file": "scripts/x.ts", "code": "..."}]; stdout: one array of messages per snippet.
import { ESLint } from 'eslint';
import path from 'node:path';
import process from 'node:process';

const root = path.resolve(import.meta.dirname, '..', '..');
let input = '';
for await (const chunk of process.stdin) input += chunk;
const eslint = new ESLint({ cwd: root });
const results = [];
for (const { file, code } of JSON.parse(input)) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  results.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
}
process.stdout.write(JSON.stringify(results));
