// Parses HCL files with HashiCorp's own parser (the hcl Go library, compiled to WebAssembly in @cdktf/hcl2json) and
// prints one JSON object to stdout: { "<path>": { "body": <parsed> } | { "error": "<diagnostic>" } }.
// Paths come one a line on stdin, so a long list never hits the argument limit.
'use strict';
const fs = require('fs');
const { parse } = require('@cdktf/hcl2json');

async function main() {
  const paths = fs.readFileSync(0, 'utf8').split('\n').map((line) => line.trim()).filter(Boolean);
  const result = {};
  for (const path of paths) {
    try {
      result[path] = { body: await parse(path, fs.readFileSync(path, 'utf8')) };
    } catch (e) {
      result[path] = { error: String(e && e.message ? e.message : e) };
    }
  }
  process.stdout.write(JSON.stringify(result));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(2);
});
