"""LICENSE, CITATION.cff and CHANGELOG.md: present, well formed, and on the one version; the
files `scripts/setup.sh run` leaves in the tree (run.h5, run.xmf, run_figures/) ignored by git.

    test_project_files.py SOURCE_DIR CISIM PROJECT_VERSION

CITATION.cff is checked against the Citation File Format 1.2.0 rules that a parser enforces
(required keys, types, an author with a name, an SPDX licence, a date in ISO form); the
version in it, the newest CHANGELOG entry and `cisim --version` must equal CMake's
project(VERSION).
"""
import datetime
import os
import re
import subprocess
import sys

import yaml

src, cisim, version = sys.argv[1:4]
errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)


# LICENSE: the GPL, version 3 (GSL is GPL-3: a program linking it is distributed under it)
with open(os.path.join(src, "LICENSE"), encoding="utf-8") as f:
    lic = f.read()
check("GNU GENERAL PUBLIC LICENSE" in lic and "Version 3, 29 June 2007" in lic,
      "LICENSE is not the text of the GPL version 3")
with open(os.path.join(src, "README.md"), encoding="utf-8") as f:
    readme = f.read()
check("GPL-3.0-or-later" in readme and "GSL" in readme,
      "README.md does not name the licence and why (GSL)")

# CITATION.cff
with open(os.path.join(src, "CITATION.cff"), encoding="utf-8") as f:
    cff = yaml.safe_load(f)
check(isinstance(cff, dict), "CITATION.cff is not a YAML mapping")
cff = cff if isinstance(cff, dict) else {}
check(cff.get("cff-version") == "1.2.0", "CITATION.cff: cff-version is not \"1.2.0\"")
for key in ("message", "title"):
    check(isinstance(cff.get(key), str) and cff[key].strip(),
          "CITATION.cff: %s missing or not a string" % key)
authors = cff.get("authors")
check(isinstance(authors, list) and authors, "CITATION.cff: authors missing or empty")
for a in authors or []:
    check(isinstance(a, dict) and (a.get("family-names") or a.get("name")),
          "CITATION.cff: author %r has neither family-names nor name" % (a,))
known = {"message", "title", "authors", "cff-version", "abstract", "commit", "contact",
         "date-released", "doi", "identifiers", "keywords", "license", "license-url",
         "preferred-citation", "references", "repository", "repository-artifact",
         "repository-code", "type", "url", "version"}
check(not set(cff) - known, "CITATION.cff: keys outside CFF 1.2.0: %s" % sorted(set(cff) - known))
check(cff.get("type", "software") in ("software", "dataset"), "CITATION.cff: bad type")
check(cff.get("license") == "GPL-3.0-or-later", "CITATION.cff: license is not GPL-3.0-or-later")
check(isinstance(cff.get("keywords", []), list), "CITATION.cff: keywords is not a list")
if "date-released" in cff:
    check(isinstance(cff["date-released"], datetime.date), "CITATION.cff: date-released not a date")
check(str(cff.get("version")) == version,
      "CITATION.cff: version %r, CMakeLists.txt says %s" % (cff.get("version"), version))

# CHANGELOG.md: the newest entry is this version
with open(os.path.join(src, "CHANGELOG.md"), encoding="utf-8") as f:
    entries = re.findall(r"^## \[([^\]]+)\]", f.read(), re.M)
check(entries and entries[0] == version,
      "CHANGELOG.md: newest entry %r, CMakeLists.txt says %s" % (entries[:1], version))

# the program
out = subprocess.run([cisim, "--version"], capture_output=True, text=True).stdout
check(out.startswith("cisim %s " % version), "cisim --version prints %r, not %s" % (out, version))

# what scripts/setup.sh run leaves in the source tree is ignored by git
if subprocess.run(["git", "-C", src, "rev-parse", "--git-dir"], capture_output=True).returncode == 0:
    for path in ("run.h5", "run.xmf", "run_figures/collagen.png", "build/cisim"):
        r = subprocess.run(["git", "-C", src, "check-ignore", "-q", "--no-index", path])
        check(r.returncode == 0, ".gitignore does not ignore %s (scripts/setup.sh run writes it)" % path)
else:
    print("note: %s is not a git checkout: .gitignore not checked" % src)

for e in errors:
    print("FAIL:", e)
if not errors:
    print("LICENSE (GPL-3), CITATION.cff (CFF 1.2.0), CHANGELOG.md and cisim --version: version", version)
sys.exit(1 if errors else 0)
