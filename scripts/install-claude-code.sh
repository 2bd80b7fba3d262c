#!/usr/bin/env bash
# Installs the pinned Claude Code the tests drive (tests/tools/claude_code/) into
# target/claude-code/, unless that version is already there. Prints the binary's path.
#
#   bash scripts/install-claude-code.sh        # then: cargo test --test tools claude_code
#
# The tests find it at target/claude-code/node_modules/.bin/claude (or $COSTTOP_CLAUDE_BIN).
set -euo pipefail
cd "$(dirname "$0")/.."
version="2.1.328"
prefix="target/claude-code"
bin="$prefix/node_modules/.bin/claude"
if [[ -x "$bin" ]] && "$bin" --version 2>/dev/null | grep -qx "$version (Claude Code)"; then
    echo "$bin"
    exit 0
fi
if ! command -v npm >/dev/null; then
    echo "install-claude-code: npm is not installed" >&2
    exit 1
fi
rm -rf "$prefix"
mkdir -p "$prefix"
# A package.json of its own, so npm installs here and not in a parent project.
echo '{"private": true}' >"$prefix/package.json"
npm install --prefix "$prefix" --save-exact --no-audit --no-fund --loglevel=error \
    "@anthropic-ai/claude-code@$version" >&2
got="$("$bin" --version)"
if [[ "$got" != "$version (Claude Code)" ]]; then
    echo "install-claude-code: expected $version, got: $got" >&2
    exit 1
fi
echo "$bin"
