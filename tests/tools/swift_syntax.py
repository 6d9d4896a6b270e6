#!/usr/bin/env python3
"""Parses Swift files with tree-sitter's Swift grammar (no Swift toolchain on
Linux CI) and fails on any syntax error.

Usage: swift_syntax.py FILE.swift...   (exit 1 if a file does not parse)

Syntax only: no type checking or name resolution. tree-sitter recovers from
errors, so the tree is searched for ERROR and MISSING nodes. The grammar
(0.7.x) does not know `@_documentation(visibility: ...)`, which uniffi emits;
those attributes are blanked out first, keeping byte offsets, so reported
lines and columns stay right. Nor does it know the empty tuple `()` as an
expression, which uniffi emits as `let writeReturn = { () }` for platform
methods that return nothing: `{ () }` becomes the equivalent `{    }`.
"""

import re
import sys

import tree_sitter_swift
from tree_sitter import Language, Parser

PARSER = Parser(Language(tree_sitter_swift.language()))
DOC_ATTRIBUTE = re.compile(rb"@_documentation\([^)]*\)")
UNIT_CLOSURE = re.compile(rb"\{ \(\) \}")


def blank(match):
    return b" " * len(match.group(0))


def errors(node, found):
    if node.is_error or node.is_missing:
        found.append(node)
    elif node.has_error:
        for child in node.children:
            errors(child, found)
    return found


def main(paths):
    failed = 0
    for path in paths:
        with open(path, "rb") as f:
            source = DOC_ATTRIBUTE.sub(blank, f.read())
        source = UNIT_CLOSURE.sub(b"{    }", source)
        found = errors(PARSER.parse(source).root_node, [])
        if not found:
            print(f"ok   {path} ({len(source)} bytes)")
            continue
        failed += 1
        for node in found[:20]:
            line, column = node.start_point
            what = f"missing {node.type}" if node.is_missing else "syntax error"
            text = source[node.start_byte : node.end_byte][:60].decode("utf-8", "replace")
            print(f"FAIL {path}:{line + 1}:{column + 1}: {what}: {text!r}")
    print(f"swift: {len(paths) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
