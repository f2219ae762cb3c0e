#!/usr/bin/env bash
# Fetches tiny-shakespeare (karpathy's char-rnn data/tinyshakespeare/input.txt) to
# data/tinyshakespeare.txt: from ../shared/corpora/tinyshakespeare.txt beside the checkout when
# present, else from the network, pinned to char-rnn's commit. Either way the bytes must have the
# SHA-256 below.
set -euo pipefail
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
dest="$here/tinyshakespeare.txt"
sha=86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed
shared="$here/../../shared/corpora/tinyshakespeare.txt"
url="https://raw.githubusercontent.com/karpathy/char-rnn/6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e/data/tinyshakespeare/input.txt"

ok() { [[ -f $1 ]] && [[ $(sha256sum "$1" | cut -d' ' -f1) == "$sha" ]]; }

if ok "$dest"; then
  echo "data/tinyshakespeare.txt is present and verified" >&2
  exit 0
fi
tmp=$(mktemp "$here/.tinyshakespeare.XXXXXX")
trap 'rm -f "$tmp"' EXIT
if [[ -f $shared ]]; then
  cp "$shared" "$tmp"
  from=$shared
else
  curl -fsSL --max-time 60 -o "$tmp" "$url" || { echo "fetch-shakespeare: could not download $url" >&2; exit 1; }
  from=$url
fi
if ! ok "$tmp"; then
  echo "fetch-shakespeare: $from does not have the expected SHA-256 $sha" >&2
  exit 1
fi
chmod 644 "$tmp"
mv "$tmp" "$dest"
echo "data/tinyshakespeare.txt fetched from $from and verified" >&2
