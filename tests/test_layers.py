"""The architecture of sim/ and models/ (docs/architecture.md), checked from the sources.

1. Direction: a file includes only headers of its own layer and of the layers it may use.
2. Models see only the model interface, the treatment geometry and their own modules.
3. No include circles between modules (a module is a .c file with its .h of the same stem).
4. One header per module: every function a header declares is defined in the .c file of the
   same stem (X_impl.h: in X.c), except the documented tables in ALLOWED_ELSEWHERE.
5. Size: no file over MAX_LINES lines, no function over MAX_FUNCTION lines.

Standard library only.  usage: test_layers.py REPO_ROOT
"""

import os
import re
import sys

MAX_LINES = 600
MAX_FUNCTION = 80

# layer -> the layers whose headers it may include (besides its own)
MAY_USE = {
    "core": [],
    "engine": ["core"],
    "treatment": ["core", "engine"],
    "config": ["core"],
    "io": ["core", "engine", "treatment", "config"],
    "tools": ["core", "engine", "treatment", "config", "io", "models"],
    "models": ["core", "engine", "treatment"],
}
# what a model may include (rule 2)
MODEL_HEADERS = {"model.h", "grid.h", "params.h", "error.h", "protocol.h", "models.h"}
# header -> files allowed to define what it declares, and why
ALLOWED_ELSEWHERE = {
    # the model table: the engine's interface looks a model up by name; models/ fills it
    "model.h": {"models.c"},
    # the subcommand table: each command's entry point lives in the file named after it
    "commands.h": None,
}


def sources(root):
    out = []
    for top in ("sim", "models"):
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    out.append(os.path.join(d, f))
    return sorted(out)


def layer_of(root, path):
    rel = os.path.relpath(path, root).split(os.sep)
    return rel[1] if rel[0] == "sim" else "models"


def local_includes(text):
    return re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, re.M)


def strip_comments(text):
    """Comments and string/char literals blanked (newlines kept, so line numbers stay)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def declared_functions(text):
    """Names of non-static function prototypes at file scope in a header."""
    text = strip_comments(text)
    names, depth = [], 0
    stmt = ""
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            stmt = ""
            continue
        if depth:
            continue
        stmt += ch
        if ch == ";":
            s = " ".join(stmt.split())
            stmt = ""
            if s.startswith(("typedef", "extern", "#", "static", "struct", "enum")):
                continue
            m = re.search(r"([A-Za-z_]\w*)\s*\([^()]*(\([^()]*\)[^()]*)*\)\s*(CS_PRINTF\([^)]*\))?\s*;$", s)
            if m and "(*" not in s.split(m.group(1))[0]:
                names.append(m.group(1))
        elif ch == "\n" and stmt.strip().startswith("#"):
            stmt = ""
    return names


def defined_functions(text):
    text = strip_comments(text)
    return set(re.findall(r"^[A-Za-z_][\w\s\*]*?\b([A-Za-z_]\w*)\s*\([^;{]*\)\s*\{", text, re.M))


def long_functions(text):
    """(line, length, name) of every function body longer than MAX_FUNCTION lines, counted from
    the first line of its signature (which may span several lines) to its closing brace."""
    code = strip_comments(text)
    out, depth, line = [], 0, 1
    stmt, stmt_line, start = "", 1, None
    for ch in code:
        if ch == "\n":
            line += 1
        if depth == 0:
            if ch == "{":
                sig = " ".join(stmt.split())
                if sig.endswith(")") and not re.match(r"(typedef|struct|enum|union)\b", sig) and "=" not in sig.split("(")[0]:
                    m = re.search(r"([A-Za-z_]\w*)\s*\(", sig)
                    start = (stmt_line, m.group(1) if m else "?")
                depth = 1
                continue
            if ch in ";}" or (ch == "\n" and stmt.lstrip().startswith("#")):
                stmt = ""
                continue
            if not stmt.strip():
                stmt_line = line
            stmt += ch
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                if start and line - start[0] + 1 > MAX_FUNCTION:
                    out.append((start[0], line - start[0] + 1, start[1]))
                start, stmt = None, ""
    return out


def main(root):
    files = sources(root)
    by_name = {}
    for f in files:
        by_name.setdefault(os.path.basename(f), []).append(f)
    problems = []
    for name, paths in by_name.items():
        if len(paths) > 1:
            problems.append("two files named %s: %s" % (name, ", ".join(paths)))

    deps = {}  # module -> modules it includes
    for f in files:
        text = open(f, encoding="utf-8").read()
        lay = layer_of(root, f)
        mod = os.path.splitext(os.path.basename(f))[0]
        nlines = text.count("\n")
        if nlines > MAX_LINES:
            problems.append("%s: %d lines (at most %d)" % (f, nlines, MAX_LINES))
        if f.endswith(".c"):
            for line, n, sig in long_functions(text):
                problems.append("%s:%d: function of %d lines (at most %d): %s" % (f, line, n, MAX_FUNCTION, sig))
        for inc in local_includes(text):
            if inc not in by_name:
                continue  # a generated or system-style header
            target = by_name[inc][0]
            tl = layer_of(root, target)
            if tl != lay and tl not in MAY_USE[lay]:
                problems.append("%s (%s) includes %s (%s): %s may use only %s" % (
                    f, lay, inc, tl, lay, ", ".join(MAY_USE[lay]) or "itself"))
            if lay == "models" and inc not in MODEL_HEADERS and tl != "models":
                problems.append("%s includes %s: a model sees only %s" % (f, inc, ", ".join(sorted(MODEL_HEADERS))))
            tmod = os.path.splitext(inc)[0]
            if tmod.endswith("_impl"):
                tmod = tmod[:-5]
            if tmod != mod:
                deps.setdefault(mod, set()).add(tmod)
        if f.endswith(".h"):
            base = os.path.basename(f)
            stem = mod[:-5] if mod.endswith("_impl") else mod
            allowed = ALLOWED_ELSEWHERE.get(base, set())
            if allowed is None:
                continue
            own = os.path.join(os.path.dirname(f), stem + ".c")
            defs = defined_functions(open(own, encoding="utf-8").read()) if os.path.exists(own) else set()
            extra = set()
            for other in allowed:
                for p in by_name.get(other, []):
                    extra |= defined_functions(open(p, encoding="utf-8").read())
            for fn in declared_functions(text):
                if fn not in defs and fn not in extra:
                    problems.append("%s declares %s, which %s does not define (one header per module)" % (
                        f, fn, os.path.basename(own)))

    # include circles: depth-first search for a back edge
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in sorted(deps.get(m, ())):
            if state.get(n) == 1:
                problems.append("include circle: " + " -> ".join(stack[stack.index(n):] + [n]))
            elif n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(deps):
        if m not in state:
            visit(m)

    for p in problems:
        print("FAIL " + p)
    print("%d files checked; %d problem%s" % (len(files), len(problems), "" if len(problems) == 1 else "s"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
