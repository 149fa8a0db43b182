# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# install_packages PACKAGE...: installs, with apt-get, the Debian packages
# of the list that are missing (as root, or through sudo); does nothing when
# all are installed. Sourced by scripts/test and scripts/bench.

install_packages ()
{
  local missing=() package as_root=()

  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "not a Debian system: install the equivalents of these yourself: $*"
    return 0
  fi
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -qx 'install ok installed'; then
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "all $# packages are installed"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "error: need root or sudo to install: ${missing[*]}" >&2
      return 1
    fi
    as_root=(sudo)
  fi
  echo "installing: ${missing[*]}"
  ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "${missing[@]}"
}
