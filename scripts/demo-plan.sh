#!/usr/bin/env bash
# The paper's evaluation through the placement core alone (no clusters, no
# Go build, seconds): Table I as the catalogue, Tables II and III as
# messages; prints the Listing 3 state with one outcome per message and
# writes Figures 3 and 4 to out/. scripts/demo.sh runs the same live.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run build --silent

providers=examples/paper/providers.yaml
messages=examples/paper/messages.json
mkdir -p out
node dist/src/cli/zonectl.js plan --providers "$providers" --messages "$messages" --format svg --until 6 \
  --title "Figure 3: execution zones after the first six INIT messages" > out/figure3.svg
node dist/src/cli/zonectl.js plan --providers "$providers" --messages "$messages" --format svg \
  --title "Figure 4: execution zones after all INIT and STOP messages" > out/figure4.svg
node dist/src/cli/zonectl.js plan --providers "$providers" --messages "$messages" --format json | tee out/listing3.json
echo "wrote out/listing3.json, out/figure3.svg, out/figure4.svg" >&2
