#!/usr/bin/env bash
# install-criu.sh - make sure /usr/local/lib/virt-lxc/bin/criu is a CRIU >= 4.2
# that passes `criu check`, as root.
#
# Why 4.2: on kernels >= 6.16 getsockopt(SO_PASSCRED) fails with EOPNOTSUPP on
# anything but AF_UNIX/AF_NETLINK sockets, and CRIU 4.1.x asks it of every
# socket, so it cannot dump a container with a TCP or UDP socket ("sockets:
# Can't get 1:16 opt: Operation not supported"); CRIU 4.2 asks only unix and
# netlink sockets (criu commit 4b7398595).
#
# 1. If the wrapper already works (>= 4.2, "Looks good"), do nothing.
# 2. If the distro `criu` is installed, >= 4.2 and passes `criu check`, the
#    wrapper becomes a symlink to it.
# 3. Otherwise (Debian 12: criu 3.17 fails on recent kernels; Debian 13 has
#    4.1.1) download Debian forky's (testing, 4.2.1 in Nov 2026)
#    `criu`, `libcompel1` and the whole shared-library closure they
#    depend on there (libc6 included: it needs a newer glibc than Debian 12's),
#    from the same Debian mirror this machine's apt sources use, with a private
#    apt configuration (temporary sources list, lists and cache: the machine's
#    own apt state is not touched), `dpkg -x` them into the private prefix
#    /usr/local/lib/virt-lxc/criu-root and write a wrapper that runs criu through
#    the prefix's dynamic loader with --library-path.
# Ends with `criu check` and `criu --version` through the wrapper; fails loudly.
# Never creates /etc/criu/default.conf (mntns-compat-mode there breaks dumps).
# VIRT_LXC_CRIU_FORCE=1 re-downloads even when the wrapper already works.
set -euo pipefail

log() { echo "virt-lxc setup: $*"; }
die() { echo "virt-lxc setup: ERROR: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root"

BASE=/usr/local/lib/virt-lxc
PREFIX=$BASE/criu-root
WRAPPER=$BASE/bin/criu
MIN_VERSION=4.2
TARGET_SUITE=${VIRT_LXC_CRIU_SUITE:-forky}
# The archive key that signs TARGET_SUITE's Release file: testing is signed with
# the current stable release's automatic signing key.
KEY_SUITE=${VIRT_LXC_CRIU_KEY_SUITE:-trixie}
ARCH=$(dpkg --print-architecture)
[[ $ARCH == amd64 ]] || die "only amd64 is supported (this is $ARCH)"
TRIPLET=x86_64-linux-gnu

# --- helpers -----------------------------------------------------------------

criu_version() {  # $1 = criu command; prints e.g. 4.1.1 or nothing
  "$1" --version 2>/dev/null | awk '/^Version:/ {print $2; exit}'
}

version_ge() {  # $1 >= $2 ?
  [[ $(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1) == "$2" ]]
}

criu_good() {  # $1 = criu command; 0 when >= MIN_VERSION and `check` looks good
  local v out
  [[ -x $1 ]] || return 1
  v=$(criu_version "$1")
  [[ -n $v ]] && version_ge "$v" "$MIN_VERSION" || return 1
  out=$("$1" check 2>&1) || return 1
  grep -q 'Looks good' <<<"$out"
}

final_check() {
  local out v
  [[ -x $WRAPPER ]] || die "$WRAPPER is missing or not executable"
  if ! out=$("$WRAPPER" check 2>&1) || ! grep -q 'Looks good' <<<"$out"; then
    echo "$out" >&2
    die "'$WRAPPER check' failed"
  fi
  v=$(criu_version "$WRAPPER")
  [[ -n $v ]] && version_ge "$v" "$MIN_VERSION" || die "$WRAPPER reports version '${v:-?}', need >= $MIN_VERSION"
  log "criu check: $(grep 'Looks good' <<<"$out")"
  log "criu --version: $("$WRAPPER" --version | tr '\n' ' ')"
  # Informational only: what the checkpoint engine may use on this kernel.
  local f
  for f in mem_dirty_track uffd-noncoop; do
    if "$WRAPPER" check --feature "$f" >/dev/null 2>&1; then
      log "criu feature $f: available"
    else
      log "criu feature $f: NOT available"
    fi
  done
}

if [[ -e /etc/criu/default.conf ]] && grep -q 'mntns-compat-mode' /etc/criu/default.conf; then
  log "WARNING: /etc/criu/default.conf contains mntns-compat-mode; it breaks every dump (remove it)"
fi

# --- 1. already done? ----------------------------------------------------------

if [[ ${VIRT_LXC_CRIU_FORCE:-0} != 1 ]] && criu_good "$WRAPPER"; then
  log "$WRAPPER already works ($(criu_version "$WRAPPER")), nothing to download"
  final_check
  exit 0
fi

mkdir -p "$BASE/bin"

# --- 2. distro criu good enough? -------------------------------------------------

distro_criu=$(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin command -v criu 2>/dev/null || true)
if [[ -n $distro_criu && $(readlink -f "$distro_criu") != "$(readlink -f "$WRAPPER" 2>/dev/null || true)" ]]; then
  if criu_good "$distro_criu"; then
    log "distro criu $distro_criu ($(criu_version "$distro_criu")) is good: linking $WRAPPER to it"
    ln -sfn "$distro_criu" "$WRAPPER.new"
    mv -Tf "$WRAPPER.new" "$WRAPPER"
    final_check
    exit 0
  fi
  log "distro criu $distro_criu ($(criu_version "$distro_criu" || true)) is older than $MIN_VERSION or fails 'criu check'; using $TARGET_SUITE's"
else
  log "no distro criu installed; using $TARGET_SUITE's"
fi

# --- 3. private trixie install ---------------------------------------------------

# 3a. Find the machine's Debian mirror (main archive, and security if present)
#     from its apt sources: one-line *.list and deb822 *.sources.
. /etc/os-release
CODENAME=${VERSION_CODENAME:-bookworm}

# Prints "uri suite" lines for every enabled `deb` source.
source_entries() {
  local f
  # one-line format
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    awk '
      /^[[:space:]]*deb[[:space:]]/ {
        sub(/^[[:space:]]*deb[[:space:]]+/, "")
        if ($0 ~ /^\[/) sub(/^\[[^]]*\][[:space:]]*/, "")
        print $1, $2
      }' "$f"
  done
  # deb822 format
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    awk '
      function flush() {
        if (types ~ /(^|[[:space:]])deb([[:space:]]|$)/ && enabled !~ /^[[:space:]]*(no|false)/) {
          n = split(uris, u, /[[:space:]]+/); m = split(suites, s, /[[:space:]]+/)
          for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) if (u[i] != "" && s[j] != "") print u[i], s[j]
        }
        types = ""; uris = ""; suites = ""; enabled = ""
      }
      /^[[:space:]]*#/ { next }
      /^[[:space:]]*$/ { flush(); next }
      tolower($1) == "types:"   { $1 = ""; types = $0; next }
      tolower($1) == "uris:"    { $1 = ""; uris = $0; next }
      tolower($1) == "suites:"  { $1 = ""; suites = $0; next }
      tolower($1) == "enabled:" { $1 = ""; enabled = $0; next }
      END { flush() }' "$f"
  done
}

# Origin of an apt source, from its downloaded Release file (empty if unknown).
release_origin() {  # $1 = uri, $2 = suite; prints "Origin/Label"
  local m f
  m=${1#*://}; m=${m#*@}; m=${m%/}; m=${m//_/%5f}; m=${m//\//_}
  for f in "/var/lib/apt/lists/${m}_dists_${2}_InRelease" "/var/lib/apt/lists/${m}_dists_${2}_Release"; do
    [[ -f $f ]] || continue
    awk -F': *' '$1 == "Origin" {o = $2} $1 == "Label" {l = $2} END {print o "/" l}' "$f"
    return 0
  done
}

# Candidates in the order apt reads them; a source whose Release file says
# Origin: Debian wins over one we know nothing about (e.g. a third-party
# repository that also uses the codename as its suite).
MAIN_URI="" SEC_URI="" MAIN_GUESS="" SEC_GUESS=""
while read -r uri suite; do
  uri=${uri%/}
  case $uri in http://*|https://*|file:/*|mirror+*) ;; *) continue ;; esac
  origin=$(release_origin "$uri" "$suite" || true)
  case $suite in
    "$CODENAME"|stable|oldstable)
      if [[ $origin == Debian/Debian ]]; then [[ -n $MAIN_URI ]] || MAIN_URI=$uri
      elif [[ -z $origin ]]; then [[ -n $MAIN_GUESS ]] || MAIN_GUESS=$uri; fi ;;
    "$CODENAME"-security|"$CODENAME"/updates|stable-security|oldstable-security)
      if [[ $origin == Debian/Debian-Security ]]; then [[ -n $SEC_URI ]] || SEC_URI=$uri
      elif [[ -z $origin ]]; then [[ -n $SEC_GUESS ]] || SEC_GUESS=$uri; fi ;;
  esac
done < <(source_entries)
MAIN_URI=${MAIN_URI:-$MAIN_GUESS}
SEC_URI=${SEC_URI:-$SEC_GUESS}
[[ -n $MAIN_URI ]] || die "could not find a Debian '$CODENAME' mirror in /etc/apt/sources.list or /etc/apt/sources.list.d/*.{list,sources}"
log "Debian mirror from the machine's apt sources: $MAIN_URI${SEC_URI:+ (security: $SEC_URI)}"

# 3b. The archive key for the target suite. trixie's Release files are signed
#     with trixie keys only; Debian 12's debian-archive-keyring ships them since
#     2023.3+deb12u2 (12.11, May 2025). On an older keyring, upgrade that package
#     from the machine's own (bookworm) sources, refreshing its indexes if needed.
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
TRIXIE_KEY=/usr/share/keyrings/debian-archive-$KEY_SUITE-automatic.gpg
upgrade_keyring() {
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y \
    --no-install-recommends --only-upgrade debian-archive-keyring
}
if [[ ! -f $TRIXIE_KEY ]]; then
  log "debian-archive-keyring $(dpkg-query -W -f='${Version}' debian-archive-keyring 2>/dev/null || echo '(none)') lacks the $KEY_SUITE key: upgrading it from the $CODENAME archive"
  upgrade_keyring || true
  if [[ ! -f $TRIXIE_KEY ]]; then
    apt-get -o DPkg::Lock::Timeout=300 update || die "apt-get update failed"
    upgrade_keyring || die "could not upgrade debian-archive-keyring"
  fi
  [[ -f $TRIXIE_KEY ]] \
    || die "debian-archive-keyring $(dpkg-query -W -f='${Version}' debian-archive-keyring) has no $KEY_SUITE key (need >= 2023.3+deb12u2)"
fi
[[ -f $KEYRING ]] || die "$KEYRING missing (install debian-archive-keyring)"

# 3c. Private apt configuration.
WORK=$(mktemp -d /tmp/virt-lxc-criu.XXXXXX)
NEW=$PREFIX.new.$$
trap 'rm -rf "$WORK" "$NEW"' EXIT
mkdir -p "$WORK/etc/sources.list.d" "$WORK/etc/preferences.d" "$WORK/lists/partial" \
         "$WORK/cache/archives/partial" "$WORK/debs"
: >"$WORK/status"
echo "deb [signed-by=$KEYRING] $MAIN_URI $TARGET_SUITE main" >"$WORK/etc/sources.list"
if [[ -n $SEC_URI ]]; then
  echo "deb [signed-by=$KEYRING] $SEC_URI $TARGET_SUITE-security main" >>"$WORK/etc/sources.list"
fi
# _apt must be able to write where apt downloads.
if id _apt >/dev/null 2>&1; then
  chmod 755 "$WORK"
  chown -R _apt "$WORK/lists/partial" "$WORK/cache/archives/partial" "$WORK/debs"
fi
APT_OPTS=(
  -o "Dir::Etc::sourcelist=$WORK/etc/sources.list"
  -o "Dir::Etc::sourceparts=$WORK/etc/sources.list.d"
  -o "Dir::Etc::preferences=$WORK/etc/preferences"
  -o "Dir::Etc::preferencesparts=$WORK/etc/preferences.d"
  -o "Dir::State::Lists=$WORK/lists"
  -o "Dir::State::status=$WORK/status"
  -o "Dir::Cache=$WORK/cache"
  -o "APT::Architecture=$ARCH"
  -o "APT::Architectures::=$ARCH"
  -o "Acquire::Languages=none"
)

log "apt-get update of $TARGET_SUITE into a private state dir ($WORK)"
apt-get "${APT_OPTS[@]}" update >"$WORK/update.log" 2>&1 || { cat "$WORK/update.log" >&2; die "private apt-get update for $TARGET_SUITE failed"; }
if grep -qE '^(W|E): .*(NO_PUBKEY|not signed|Failed to fetch)' "$WORK/update.log"; then
  cat "$WORK/update.log" >&2
  die "private apt-get update for $TARGET_SUITE reported errors"
fi

# 3d. criu + libcompel1 + the complete library closure in the target suite.
mapfile -t PKGS < <(apt-cache "${APT_OPTS[@]}" depends --recurse --no-recommends --no-suggests \
    --no-conflicts --no-breaks --no-replaces --no-enhances criu libcompel1 \
  | grep -E '^[a-z0-9]' | sort -u)
printf '%s\n' "${PKGS[@]}" | grep -qx criu || die "criu not found in $TARGET_SUITE"
log "downloading from $TARGET_SUITE: ${PKGS[*]}"
(cd "$WORK/debs" && apt-get "${APT_OPTS[@]}" download "${PKGS[@]}") >"$WORK/download.log" 2>&1 \
  || { cat "$WORK/download.log" >&2; die "apt-get download failed"; }

# 3e. Extract into a fresh prefix, check it, then swap it in.
rm -rf "$NEW"
mkdir -p "$NEW"
for deb in "$WORK"/debs/*.deb; do
  dpkg -x "$deb" "$NEW"
  dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb" >>"$NEW/VIRT-LXC-DEBS"
done
sort -o "$NEW/VIRT-LXC-DEBS" "$NEW/VIRT-LXC-DEBS"

find_in_prefix() {  # $1 = prefix, rest = candidate relative paths; prints the first existing
  local p=$1 c; shift
  for c in "$@"; do [[ -e $p/$c ]] && { echo "$c"; return 0; }; done
  return 1
}
LDSO_REL=$(find_in_prefix "$NEW" usr/lib/$TRIPLET/ld-linux-x86-64.so.2 lib/$TRIPLET/ld-linux-x86-64.so.2 \
                                usr/lib64/ld-linux-x86-64.so.2 lib64/ld-linux-x86-64.so.2) \
  || die "no ld-linux-x86-64.so.2 in the extracted libc6"
CRIU_REL=$(find_in_prefix "$NEW" usr/sbin/criu sbin/criu usr/bin/criu) || die "no criu binary in the extracted criu deb"
LIBDIRS=() NEWLIBDIRS=()
for d in usr/lib/$TRIPLET lib/$TRIPLET; do
  [[ -d $NEW/$d ]] && { LIBDIRS+=("$PREFIX/$d"); NEWLIBDIRS+=("$NEW/$d"); }
done
LIBPATH=$(IFS=:; echo "${LIBDIRS[*]}")
NEWLIBPATH=$(IFS=:; echo "${NEWLIBDIRS[*]}")

# All of criu's libraries must resolve, from the new prefix.
ldlist=$("$NEW/$LDSO_REL" --list --library-path "$NEWLIBPATH" "$NEW/$CRIU_REL" 2>&1) \
  || { echo "$ldlist" >&2; die "criu's libraries do not resolve"; }
if grep -q 'not found' <<<"$ldlist"; then echo "$ldlist" >&2; die "criu has unresolved libraries"; fi
outside=$(grep '=>' <<<"$ldlist" | grep -v "=> $NEW/" || true)
[[ -z $outside ]] || log "note: libraries taken from the host: $(awk '{print $3}' <<<"$outside" | paste -sd' ')"
"$NEW/$LDSO_REL" --library-path "$NEWLIBPATH" "$NEW/$CRIU_REL" --version >/dev/null \
  || die "the extracted criu does not run"

rm -rf "$PREFIX.old"
[[ -e $PREFIX ]] && mv "$PREFIX" "$PREFIX.old"
mv "$NEW" "$PREFIX"
rm -rf "$PREFIX.old"

cat >"$WRAPPER.new" <<EOF
#!/bin/sh
# virt-lxc: CRIU from Debian $TARGET_SUITE, run with its own loader and libraries
# from $PREFIX (written by scripts/setup/install-criu.sh).
exec $PREFIX/$LDSO_REL --library-path $LIBPATH $PREFIX/$CRIU_REL "\$@"
EOF
chmod 755 "$WRAPPER.new"
mv -Tf "$WRAPPER.new" "$WRAPPER"
log "installed $TARGET_SUITE criu into $PREFIX ($(wc -l <"$PREFIX/VIRT-LXC-DEBS") debs, list in $PREFIX/VIRT-LXC-DEBS), wrapper $WRAPPER"

final_check
