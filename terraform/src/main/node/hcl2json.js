// Parses HCL files with HashiCorp's own parser (the hcl Go library, compiled to WebAssembly in @cdktf/hcl2json)
// and formats them with hclwrite (the formatter behind `terraform fmt`, in @cdktf/hcl-tools).
// Reads requests from stdin, one a line: a JSON array of file paths. Answers each with one line on stdout:
// { "<path>": { "body": <parsed>, "formatted": <true when hclwrite would not change it> } | { "error": "..." } }.
// One process serves a whole test run, so the WebAssembly modules are compiled once.
'use strict';
const fs = require('fs');
const readline = require('readline');
const { parse } = require('@cdktf/hcl2json');
const { format } = require('@cdktf/hcl-tools');

async function answer(paths) {
  const result = {};
  for (const path of paths) {
    try {
      const text = fs.readFileSync(path, 'utf8');
      const body = await parse(path, text);
      result[path] = { body, formatted: (await format(text)) === text };
    } catch (e) {
      result[path] = { error: String(e && e.message ? e.message : e) };
    }
  }
  return result;
}

async function main() {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) {
      continue;
    }
    process.stdout.write(JSON.stringify(await answer(JSON.parse(line))) + '\n');
  }
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(2);
});
