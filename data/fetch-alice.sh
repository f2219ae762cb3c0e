#!/usr/bin/env bash
# Fetches the default corpus, Alice's Adventures in Wonderland (Project Gutenberg #11), to
# data/alice.txt: from ../shared/corpora/alice.txt beside the checkout when present, else from the
# network. Either way the bytes must have the SHA-256 below (the 2008 Gutenberg posting with its
# header and licence, as the classic DL4J char-RNN tutorial used).
set -euo pipefail
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
dest="$here/alice.txt"
sha=146e69455b17fac23bee136d0121ced326e0b99caf206df0281cb67241963875
shared="$here/../../shared/corpora/alice.txt"
# Gutenberg's current 11.txt is a later edition with different bytes; these are pinned copies of
# the 2008 file with the checksum above.
urls=(
  "https://raw.githubusercontent.com/dakrone/corpus/f25de55809404f0173504d6853b7b6df93d51ae0/data/alice-in-wonderland.txt"
  "https://www.gutenberg.org/files/11/old/alice30.txt"
)

ok() { [[ -f $1 ]] && [[ $(sha256sum "$1" | cut -d' ' -f1) == "$sha" ]]; }

if ok "$dest"; then
  echo "data/alice.txt is present and verified" >&2
  exit 0
fi
tmp=$(mktemp "$here/.alice.XXXXXX")
trap 'rm -f "$tmp"' EXIT
if [[ -f $shared ]]; then
  cp "$shared" "$tmp"
  from=$shared
else
  from=
  for u in "${urls[@]}"; do
    if curl -fsSL --max-time 60 -o "$tmp" "$u" && ok "$tmp"; then from=$u; break; fi
  done
  [[ -n $from ]] || { echo "fetch-alice: could not download a copy with SHA-256 $sha" >&2; exit 1; }
fi
if ! ok "$tmp"; then
  echo "fetch-alice: $from does not have the expected SHA-256 $sha" >&2
  exit 1
fi
chmod 644 "$tmp"
mv "$tmp" "$dest"
echo "data/alice.txt fetched from $from and verified" >&2
