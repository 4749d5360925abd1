#!/usr/bin/env bash
# Lighthouse scores of the course (issue 5: ≥ 95 in every category on mobile), outside the test suite.
# Builds the course, serves it from 127.0.0.1 with gzip (benchmarks/static_server.py), runs Lighthouse
# 12.2.3 (installed once into benchmarks/_work/node, git-ignored; not a project dependency) with Debian's
# Chromium on the home page and a chapter, mobile and desktop, and prints the four scores.
#   bash benchmarks/lighthouse.sh [PAGE.html …]      (default: index.html transformers.html)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=benchmarks/_work/lighthouse
NODE_DIR=benchmarks/_work/node
LIGHTHOUSE_VERSION=12.2.3
PORT=${PORT:-8765}
PYTHON=${PYTHON:-.venv/bin/python}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
FLAGS="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"
PAGES=("$@")
[ ${#PAGES[@]} -gt 0 ] || PAGES=(index.html transformers.html)

[ -x "$PYTHON" ] || { echo "$PYTHON absent : lancez d'abord « bash scripts/build-site.sh »" >&2; exit 2; }
[ -x "$CHROME_PATH" ] || { echo "Chromium absent ($CHROME_PATH) : apt-get install chromium" >&2; exit 2; }
installed=$(node -p "require('./$NODE_DIR/node_modules/lighthouse/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$LIGHTHOUSE_VERSION" ]; then
  mkdir -p "$NODE_DIR"
  [ -f "$NODE_DIR/package.json" ] || echo '{"private": true}' > "$NODE_DIR/package.json"
  npm install --prefix "$NODE_DIR" --no-audit --no-fund --save-exact "lighthouse@$LIGHTHOUSE_VERSION" >&2
fi

rm -rf "$WORK" && mkdir -p "$WORK"
"$PYTHON" build.py --quiet --output "$WORK/site"
"$PYTHON" benchmarks/static_server.py "$WORK/site" "$PORT" > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$PORT/" > /dev/null 2>&1 && break
  sleep 0.1
done

for page in "${PAGES[@]}"; do
  for form in mobile desktop; do
    preset=()
    [ "$form" = desktop ] && preset=(--preset=desktop)
    "$NODE_DIR/node_modules/.bin/lighthouse" "http://127.0.0.1:$PORT/$page" "${preset[@]}" --quiet \
      --only-categories=performance,accessibility,best-practices,seo \
      --chrome-flags="$FLAGS" --output=json --output-path="$WORK/${page%.html}-$form.json" >&2
  done
done

"$PYTHON" - "$WORK" "${PAGES[@]}" <<'PY'
import json, sys
from pathlib import Path

work, pages = Path(sys.argv[1]), sys.argv[2:]
cats = [("performance", "Performance"), ("accessibility", "Accessibilité"),
        ("best-practices", "Bonnes pratiques"), ("seo", "SEO")]
print(f"{'page':22} {'appareil':8} " + " ".join(f"{label:>16}" for _, label in cats))
misses = []
for page in pages:
    for form in ("mobile", "desktop"):
        report = json.loads((work / f"{page[:-5]}-{form}.json").read_text())
        scores = {key: round(report["categories"][key]["score"] * 100) for key, _ in cats}
        print(f"{page:22} {form:8} " + " ".join(f"{scores[key]:>16}" for key, _ in cats))
        metrics = report["audits"]
        if form == "mobile":
            print(f"{'':31}FCP {metrics['first-contentful-paint']['displayValue']}, "
                  f"LCP {metrics['largest-contentful-paint']['displayValue']}, "
                  f"TBT {metrics['total-blocking-time']['displayValue']}, "
                  f"CLS {metrics['cumulative-layout-shift']['displayValue']}")
        for key, label in cats:
            for ref in report["categories"][key]["auditRefs"]:
                audit = metrics[ref["id"]]
                if ref["weight"] and audit.get("score") is not None and audit["score"] < 0.9:
                    misses.append(f"{page} {form} — {label} : {audit['title']} ({audit.get('displayValue', '')})")
if misses:
    print("\nAudits sous 90 :")
    print("\n".join(f"  {m}" for m in sorted(set(misses))))
print("\nCible : ≥ 95 partout sur mobile. Rapports complets : " + str(work) + "/*.json")
PY
