#!/usr/bin/env bash
# docs_references: the repository's citations and its self-containedness.
#   (a) every author–year citation in docs/*.md and README.md ("Kalluri 2011", "Aust et al.
#       2008", "Schwarz & Laaff 2011", "Ebert & van Saarloos 2000") has an entry in
#       docs/references.md: an entry that names the first author's surname and the year;
#   (b) every DOI written in docs/references.md (DOI `10.xxxx/...`) is well formed, and the
#       entry keys are unique and sorted;
#   (c) no tracked file points outside the repository (../shared, shared/data, literature.md,
#       an untracked DESIGN.md), and docs/, README.md, CHANGELOG.md and CITATION.cff (the
#       installed user docs) name no issue numbers ("issue 13", "the issue's targets"): a user
#       of the repository never sees the issue tracker.
# usage: test_references.sh SOURCE_DIR      exit 77 (skip) outside a git checkout
set -u
src=${1:?usage: test_references.sh SOURCE_DIR}
py=${CISIM_TEST_PYTHON:-python3}
command -v git >/dev/null 2>&1 || { echo "SKIP: git not found"; exit 77; }
top=$(git -C "$src" rev-parse --show-toplevel 2>/dev/null) || { echo "SKIP: $src is not a git checkout"; exit 77; }
command -v "$py" >/dev/null 2>&1 || { echo "SKIP: $py not found"; exit 77; }
cd "$top" || exit 1
refs=docs/references.md
[ -f "$refs" ] || { echo "FAIL: $refs missing"; exit 1; }
fails=0

# (a) and (b)
"$py" - "$refs" docs/*.md README.md <<'EOF' || fails=$((fails + 1))
import os, re, sys
refs, docs = sys.argv[1], [d for d in sys.argv[2:] if d != sys.argv[1]]
text = open(refs, encoding="utf-8").read()
# entries: "- **key** — ..." up to the next blank line
entries = {}
order = []
for m in re.finditer(r"^- \*\*([a-z0-9-]+)\*\*(.*?)(?=\n\s*\n|\Z)", text, re.S | re.M):
    key, body = m.group(1), m.group(0)
    if key in entries:
        print(f"FAIL (b) duplicate key {key}")
        sys.exit(1)
    entries[key] = " ".join(body.split())
    order.append(key)
bad = 0
if not entries:
    print(f"FAIL {refs}: no entries")
    sys.exit(1)
if order != sorted(order):
    first = next(i for i, (k, s) in enumerate(zip(order, sorted(order))) if k != s)
    print(f"FAIL (b) keys not sorted: {order[first]} is entry {first + 1}, "
          f"{sorted(order)[first]} belongs there")
    bad += 1
dois = re.findall(r"DOI `([^`]*)`", text)
for d in dois:
    if not re.fullmatch(r"10\.[0-9]{4,9}/\S+", d):
        print(f"FAIL (b) malformed DOI: {d!r}")
        bad += 1
print(f"(b) {len(entries)} entries, {len(dois)} DOIs well formed"
      f" ({sum('(verified' in e for e in entries.values())} entries with a verified DOI or record)")

NAME = r"[A-Z][A-Za-zÀ-ÿ'’]+(?:-[A-Z][A-Za-zÀ-ÿ'’]+)?"
PART = r"(?:(?:van|de|von|der|den|du|le|la)\s+)?" + NAME
cite = re.compile(
    r"\b(" + NAME + r")"                                   # first author
    r"(?:\s+et\s+al\.?"                                     # Aust et al. 2008
    r"|(?:,\s+" + PART + r")*,?\s+(?:&|and)\s+" + PART +    # Kalluri, Kolli & Banga 2011
    r"(?:\s+et\s+al\.?)?"
    r"|,\s+" + PART + r"\s+et\s+al\.?"                      # Ogunjimi, Brogden et al. 2020
    r")?"
    r",?\s+\(?((?:19|20)[0-9]{2})[a-z]?\b")
NOT_AUTHORS = {"January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December", "Version", "Since", "In",
               "From", "Before", "After", "Until", "By"}
missing = {}
found = 0
verbose = bool(os.environ.get("REFS_VERBOSE"))
for path in docs:
    raw = open(path, encoding="utf-8").read()
    flat = raw.replace("\n", " ")  # a citation may be wrapped across lines
    for m in cite.finditer(flat):
        name, year = m.group(1), m.group(2)
        if name in NOT_AUTHORS:
            continue
        found += 1
        ln = raw.count("\n", 0, m.start()) + 1
        if verbose:
            print(f"  {path}:{ln}: {name} {year}")
        if not any(name in e and year in e for e in entries.values()):
            missing.setdefault((name, year), []).append(f"{path}:{ln}")
for (name, year), where in sorted(missing.items()):
    print(f"FAIL (a) no entry in {refs} for {name} {year} (cited at {', '.join(where[:3])})")
    bad += 1
print(f"(a) {found} author-year citations in docs/*.md and README.md, "
      f"{len(missing)} without an entry")
sys.exit(1 if bad else 0)
EOF

# (c) pointers outside the repository, in every tracked text file but this one
self=tests/cli/test_references.sh
out=$(git grep -n -I -e '\.\./shared' -e 'shared/data' -e 'literature\.md' -- . ":(exclude)$self")
if ! git ls-files --error-unmatch DESIGN.md >/dev/null 2>&1; then
  out+=$(git grep -n -I -e 'DESIGN\.md' -- . ":(exclude)$self")
fi
if [ -n "$out" ]; then
  echo "FAIL (c) pointers to files outside the repository:"; echo "$out" | sed 's/^/  /'
  fails=$((fails + 1))
else
  echo "(c) no pointers to ../shared, shared/data, literature.md or DESIGN.md"
fi
out=$(git grep -n -I -i -E "(^|[^[:alnum:]])issues? #?[0-9]|the issue's target|the issue names" -- docs README.md CHANGELOG.md CITATION.cff)
if [ -n "$out" ]; then
  echo "FAIL (c) issue numbers in the user docs (say what the requirement is instead):"
  echo "$out" | sed 's/^/  /'
  fails=$((fails + 1))
else
  echo "(c) no issue numbers in docs/, README.md, CHANGELOG.md and CITATION.cff (installed as the user docs)"
fi

[ "$fails" -eq 0 ] && echo "docs_references: PASS" || echo "docs_references: FAIL ($fails)"
exit $((fails > 0))
