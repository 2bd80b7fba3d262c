#!/usr/bin/env bash
# Installs the pinned Anthropic TypeScript SDK (@anthropic-ai/sdk) the proxy tests drive
# (tests/tools/proxy/) into target/anthropic-sdk-js/, unless that version is already there.
# Prints the folder the tests run node in.
#
#   bash scripts/install-anthropic-sdk-js.sh   # then: cargo test --test tools proxy
#
# The tests find it at target/anthropic-sdk-js/ (or $COSTTOP_SDK_JS_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
version="1.17.0"
prefix="target/anthropic-sdk-js"
installed="$prefix/node_modules/@anthropic-ai/sdk/package.json"
if [[ -f "$installed" ]] && grep -q "\"version\": \"$version\"" "$installed"; then
    echo "$prefix"
    exit 0
fi
if ! command -v npm >/dev/null; then
    echo "install-anthropic-sdk-js: npm is not installed" >&2
    exit 1
fi
rm -rf "$prefix"
mkdir -p "$prefix"
# A package.json of its own, so npm installs here and not in a parent project.
echo '{"private": true}' >"$prefix/package.json"
npm install --prefix "$prefix" --save-exact --no-audit --no-fund --loglevel=error \
    "@anthropic-ai/sdk@$version" >&2
if ! grep -q "\"version\": \"$version\"" "$installed"; then
    echo "install-anthropic-sdk-js: expected $version in $installed" >&2
    exit 1
fi
echo "$prefix"
