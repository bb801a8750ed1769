#!/usr/bin/env bash
# Install the system packages the test suite needs on a Debian machine:
#   - headless Chromium (+ chromedriver) for the browser tests, driven by
#     Playwright with executable_path=/usr/bin/chromium (no browser download);
#   - nginx for the hosting tests (tests start their own nginx on 127.0.0.1);
#   - a C compiler, the Python headers and libyaml's headers, so that `pip install`
#     compiles the optional kernels (generator/_kernels.c, generator/_yamlfast.c),
#     which tests/test_kernels.py checks.
#
# Run as root (or with sudo available). Idempotent: when every needed binary is
# already present, apt is not touched at all, so a second run takes a moment.
# Python packages are NOT installed here: use `pip install -e '.[test]'`.
set -euo pipefail

# Binaries the tests use; if all exist there is nothing to do.
required_bins=(/usr/bin/chromium /usr/bin/chromedriver /usr/sbin/nginx)

missing=()
for bin in "${required_bins[@]}"; do
    [[ -x "$bin" ]] || missing+=("$bin")
done
# The hosting helper includes the system mime types file.
[[ -f /etc/nginx/mime.types ]] || missing+=(/etc/nginx/mime.types)
# The kernels need a C compiler and the headers of the Python that test.sh uses.
PYTHON=${PYTHON:-python3}
has_headers() {
    "$PYTHON" -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'
}
command -v cc >/dev/null 2>&1 || missing+=(cc)
has_headers || missing+=(Python.h)
[[ -f /usr/include/yaml.h ]] || missing+=(yaml.h)

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-test-deps: chromium, chromedriver, nginx, cc, Python.h and yaml.h present; nothing to do."
    exit 0
fi

echo "install-test-deps: missing: ${missing[*]}"

if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo env DEBIAN_FRONTEND=noninteractive)
else
    echo "install-test-deps: must run as root (or with sudo) to install packages" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Wait (up to 10 min) for another apt/dpkg run to release its lock rather than
# failing at once.
apt_opts=(-o DPkg::Lock::Timeout=600)

# Do not let the package's postinst start (or enable) nginx as a system
# service: tests run their own nginx on a free port. policy-rc.d exit 101
# tells invoke-rc.d "action forbidden"; it is removed again on exit unless it
# was already there.
policy=/usr/sbin/policy-rc.d
created_policy=0
cleanup() {
    if [[ $created_policy -eq 1 ]]; then
        "${SUDO[@]}" rm -f "$policy"
    fi
}
trap cleanup EXIT
if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
    "${SUDO[@]}" chmod 755 "$policy"
    created_policy=1
fi

echo "install-test-deps: apt-get update"
"${SUDO[@]}" apt-get "${apt_opts[@]}" update -qq

# nginx-light is the small build (Debian <= 12); newer releases only have nginx.
# apt-cache policy prints "Candidate: (none)" for a known-but-uninstallable
# name and nothing at all for an unknown one.
# (Capture first: `apt-cache ... | grep -q` can die of SIGPIPE under pipefail.)
nginx_pkg=nginx
light_policy=$(apt-cache policy nginx-light 2>/dev/null || true)
if grep -Eq 'Candidate: [^(]' <<<"$light_policy"; then
    nginx_pkg=nginx-light
fi

pkgs=(chromium chromium-driver "$nginx_pkg" gcc libc6-dev libyaml-dev)
# Debian's own python3 takes its headers from python3-dev (other Pythons, e.g. pyenv's,
# ship theirs).
has_headers || pkgs+=(python3-dev)
echo "install-test-deps: apt-get install ${pkgs[*]}"
"${SUDO[@]}" apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null

# Belt and braces: if a service manager started nginx anyway, stop it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then
    "${SUDO[@]}" systemctl stop nginx || true
    "${SUDO[@]}" systemctl disable nginx >/dev/null 2>&1 || true
fi

still_missing=()
for bin in "${required_bins[@]}"; do
    [[ -x "$bin" ]] || still_missing+=("$bin")
done
[[ -f /etc/nginx/mime.types ]] || still_missing+=(/etc/nginx/mime.types)
command -v cc >/dev/null 2>&1 || still_missing+=(cc)
has_headers || still_missing+=("Python.h for $PYTHON")
[[ -f /usr/include/yaml.h ]] || still_missing+=(yaml.h)
if [[ ${#still_missing[@]} -ne 0 ]]; then
    echo "install-test-deps: still missing after install: ${still_missing[*]}" >&2
    exit 1
fi

echo "install-test-deps: done ($(/usr/bin/chromium --version 2>/dev/null | head -n1); $(/usr/sbin/nginx -v 2>&1))"
