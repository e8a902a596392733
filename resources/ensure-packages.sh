#!/bin/sh
# Install the Debian packages named as arguments when any is missing.
# As root this runs apt-get; as another user it prints the command to run.
#
# Debian renames a package now and then (Debian 13 calls libglib2.0-0
# libglib2.0-0t64): an argument may give each release's name, newest first, as
# "libglib2.0-0t64|libglib2.0-0". Any of them installed will do; the first one
# apt can install is the one installed.

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"
}

# A purely virtual name (an old name another package provides) prints no Package: line.
installable() {
    apt-cache show "$1" 2>/dev/null | grep -q '^Package:'
}

names_of() {
    echo "$1" | tr '|' ' '
}

# The first installable alternative; the first of all when apt knows none of them
# (apt's lists are empty until the first apt-get update on a new machine).
pick() {
    for name in $(names_of "$1"); do
        if installable "$name"; then
            echo "$name"
            return
        fi
    done
    names_of "$1" | cut -d' ' -f1
}

missing=""
for spec in "$@"; do
    found=""
    for name in $(names_of "$spec"); do
        installed "$name" && found=yes && break
    done
    [ -n "$found" ] || missing="$missing $spec"
done
[ -z "$missing" ] && exit 0

picked() {
    for spec in $missing; do
        printf ' %s' "$(pick "$spec")"
    done
}

if ! command -v apt-get >/dev/null 2>&1; then
    echo "Burnrate needs these system packages (Debian names):$(echo "$missing" | tr '|' '/')" >&2
    echo "Install their equivalents with your system's package manager, then run make again." >&2
    exit 1
fi
if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || { echo "apt-get update failed" >&2; exit 1; }
    packages=$(picked)
    echo "Installing system packages:$packages"
    # shellcheck disable=SC2086  # one word per package
    apt-get install -y -qq --no-install-recommends $packages >/dev/null \
        || { echo "apt-get could not install:$packages" >&2; exit 1; }
else
    echo "Burnrate needs system packages that are not installed. Run:" >&2
    echo "    sudo apt-get update && sudo apt-get install --no-install-recommends$(picked)" >&2
    echo "then run make again." >&2
    exit 1
fi
