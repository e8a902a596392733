#!/bin/sh
# Install the Debian packages named as arguments when any is missing.
# As root this runs apt-get; as another user it prints the command to run.
missing=""
for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Burnrate needs these system packages (Debian names):$missing" >&2
    echo "Install their equivalents with your system's package manager, then run make again." >&2
    exit 1
fi
if [ "$(id -u)" = 0 ]; then
    echo "Installing system packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null \
        || { echo "apt-get could not install:$missing" >&2; exit 1; }
else
    echo "Burnrate needs system packages that are not installed. Run:" >&2
    echo "    sudo apt-get update && sudo apt-get install --no-install-recommends$missing" >&2
    echo "then run make again." >&2
    exit 1
fi
