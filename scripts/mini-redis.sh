#!/usr/bin/env bash
# Runs the test suite of mini-redis (tokio-rs's example Redis server and client, published on
# crates.io) unmodified, in seedloop's simulation: cargo fetches the published crate, the
# script copies its source out of cargo's registry cache, points the crate's two tokio
# dependencies at this checkout's `sim/tokio` (package `seedloop-tokio`), and runs
# `cargo test` under `--cfg seedloop`. Nothing else of mini-redis changes; nothing but
# crates.io is downloaded.
#
#   scripts/mini-redis.sh                 # every test over the default seeds
#   scripts/mini-redis.sh --tokio         # the same suite on real tokio (through the facade; its
#                                         # key_value_timeout fails on tokio 1.54: see the book)
#   scripts/mini-redis.sh -- server       # extra arguments go to `cargo test`
#   SEEDLOOP_SEEDS=1000 scripts/mini-redis.sh
#   scripts/mini-redis.sh --count 200     # each test alone on seeds 0..200: pass counts per test
#
# Work happens in `target/mini-redis` (override with MINI_REDIS_DIR); it keeps its own
# target directory, so the workspace's builds are untouched.
set -euo pipefail

version="0.4.1"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${MINI_REDIS_DIR:-$root/target/mini-redis}"
mode="seedloop"
if [[ "${1:-}" == "--tokio" ]]; then
  mode="tokio"
  shift
fi
count=""
if [[ "${1:-}" == "--count" ]]; then
  count="${2:?--count takes a number of seeds, e.g. --count 200}"
  [[ "$count" =~ ^[0-9]+$ ]] || { echo "--count $count: give a whole number of seeds" >&2; exit 2; }
  shift 2
fi
if [[ "${1:-}" == "--" ]]; then
  shift
fi

# 1. Fetch the published crate through an empty package that depends on it.
fetch="$work/fetch"
mkdir -p "$fetch/src"
cat >"$fetch/Cargo.toml" <<TOML
[package]
name = "fetch-mini-redis"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
mini-redis = "=$version"

[workspace]
TOML
: >"$fetch/src/lib.rs"
cargo fetch --quiet --manifest-path "$fetch/Cargo.toml"
src="$(cargo metadata --quiet --format-version 1 --manifest-path "$fetch/Cargo.toml" |
  jq -r --arg v "$version" '.packages[] | select(.name == "mini-redis" and .version == $v) | .manifest_path')"
src="$(dirname "$src")"
if [[ ! -f "$src/Cargo.toml" ]]; then
  echo "mini-redis $version was not found in cargo's registry cache after \`cargo fetch\`" >&2
  exit 1
fi

# 2. A fresh copy, with only its tokio dependencies replaced by the facade. `[workspace]`
#    keeps cargo from taking the copy for a member of this checkout's workspace (it lives under
#    target/); the published Cargo.lock stays, cargo adds the facade's dependencies to it.
crate="$work/mini-redis-$version"
rm -rf "$crate"
cp -R "$src" "$crate"
chmod -R u+w "$crate"
python3 - "$crate/Cargo.toml" "$root/sim/tokio" <<'PY'
import re, sys
path, facade = sys.argv[1], sys.argv[2]
text = open(path).read()
count = 0
def patch(match):
    global count
    count += 1
    return match.group(1) + f'package = "seedloop-tokio"\npath = "{facade}"\n'
# `[dependencies.tokio]` and `[dev-dependencies.tokio]`: the version line becomes the facade's
# package and path; the features stay.
text = re.sub(r'(\[(?:dev-)?dependencies\.tokio\]\n)version = "[^"]*"\n', patch, text)
if count != 2:
    sys.exit(f"expected two tokio dependency tables in {path}, patched {count}")
open(path, "w").write(text + "\n[workspace]\n")
PY

# 3. Test.
cd "$crate"
if [[ "$mode" == "seedloop" ]]; then
  export RUSTFLAGS="${RUSTFLAGS:-} --cfg seedloop"
  export RUSTDOCFLAGS="${RUSTDOCFLAGS:-} --cfg seedloop"
  target="$work/target-seedloop"
else
  target="$work/target-tokio"
fi
echo "== mini-redis $version on $mode ($crate)" >&2
if [[ -z "$count" ]]; then
  cargo test --target-dir "$target" "$@"
  exit
fi

# Per-seed counts: every test of every test binary, alone, on each seed of 0..count (a sweep
# stops at its first failure; this counts them all). A failure that is reported as
# nondeterminism counts as a failure.
[[ "$mode" == "seedloop" ]] || { echo "--count needs the simulation (drop --tokio)" >&2; exit 2; }
bins="$(cargo test --target-dir "$target" --tests --no-run --message-format=json "$@" 2>/dev/null |
  jq -r 'select(.reason == "compiler-artifact" and .profile.test == true) | .executable // empty')"
export SEEDLOOP_REGRESSIONS=off
for bin in $bins; do
  for name in $("$bin" --list 2>/dev/null | sed -n 's/: test$//p'); do
    passed=0
    nondet=0
    for ((seed = 0; seed < count; seed++)); do
      if out="$(SEEDLOOP_SEED=$seed "$bin" --exact "$name" --test-threads 1 2>&1)"; then
        passed=$((passed + 1))
      elif grep -q "nondeterminism" <<<"$out"; then
        nondet=$((nondet + 1))
      fi
    done
    printf '%-10s %-48s %4d/%d passed (%d failures reported as nondeterminism)\n' \
      "$(basename "${bin%-*}")" "$name" "$passed" "$count" "$nondet"
  done
done
