#!/usr/bin/env bash
# Records public API changes of the packages under src/ in their PublicAPI.Unshipped.txt: symbols the compiler
# reports as new (RS0016) are added, symbols reported as gone (RS0017) are removed. Review the diff: it is the
# API change. At a release, move the Unshipped lines to PublicAPI.Shipped.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
for project in ${1:-src/*/*.csproj}; do
  dotnet build "$project" -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= --no-incremental -clp:NoSummary >"$log" 2>&1 || true
  python3 - "$log" <<'PY'
import re, sys, collections, os
added = collections.defaultdict(set); removed = collections.defaultdict(set)
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.search(r"(RS0016|RS0017): Symbol '(.*)' is (?:not part of the declared public API|part of the declared API, but is either not public or could not be found).*\[(.*\.csproj)\]", line)
    if m:
        (added if m.group(1) == "RS0016" else removed)[os.path.dirname(m.group(3))].add(m.group(2))
for folder in set(added) | set(removed):
    path = os.path.join(folder, "PublicAPI.Unshipped.txt")
    lines = [l.rstrip("\n") for l in open(path, encoding="utf-8")] if os.path.exists(path) else ["#nullable enable"]
    body = sorted((set(lines[1:]) | added[folder]) - removed[folder] - {""}, key=lambda s: s.replace("static ", "").replace("override ", "").replace("abstract ", "").replace("virtual ", "").replace("const ", ""))
    open(path, "w", encoding="utf-8").write("\n".join(["#nullable enable"] + body) + "\n")
    print(f"{path}: +{len(added[folder])} -{len(removed[folder])}")
PY
done
rm -f "$log"
