#!/usr/bin/env bash
# Installs the Debian packages the test bed and benchmark need (OpenStack Swift, memcached for tempauth,
# unzip for the Helm binaries shipped in npm packages, xz-utils and the libraries NooBaa's bundles load, PostgreSQL
# for the NooBaa data bucket (../shared/noobaa/nbdb), rclone for the takeover tests and the bench). Idempotent: does
# nothing when all are present.
set -euo pipefail
needed=()
command -v swift-proxy-server >/dev/null || needed+=(swift swift-proxy swift-account swift-container swift-object)
command -v memcached >/dev/null || needed+=(memcached)
command -v unzip >/dev/null || needed+=(unzip)
command -v openssl >/dev/null || needed+=(openssl)
command -v rclone >/dev/null || needed+=(rclone)
command -v xz >/dev/null || needed+=(xz-utils)
for lib in libssl3 zlib1g libstdc++6; do dpkg -s "$lib" >/dev/null 2>&1 || needed+=("$lib"); done
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || needed+=(postgresql)
command -v /usr/bin/time >/dev/null || needed+=(time)
[ ${#needed[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "swift-to-s3: the test bed needs Debian packages ${needed[*]}; run this as root or install them: apt-get install ${needed[*]}" >&2
    exit 2
  fi
else SUDO=; fi
echo "installing Debian packages: ${needed[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${needed[@]}" >/dev/null
