#!/usr/bin/env bash
# Installs the redwatch agent or collector as a systemd service:
#   jar    -> $ROOT/opt/redwatch/redwatch-<component>.jar      (replaced: upgrades)
#   unit   -> $ROOT/etc/systemd/system/redwatch-<component>.service (replaced: local changes
#             belong in a drop-in made with `systemctl edit`)
#   config -> $ROOT/etc/redwatch/<component>.yaml              (never overwritten)
# and creates the system user the unit runs as.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: install.sh [--root DIR] agent|collector [--jar PATH]

  agent|collector  what to install
  --root DIR       install below DIR instead of / (image or package builds); default /
  --jar PATH       the jar to install; default: the one `mvn -B package` built in this checkout
EOF
}

die_usage() { echo "install.sh: $*" >&2; usage >&2; exit 2; }
die() { echo "install.sh: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

root=/
out=
component=
jar=
while [ $# -gt 0 ]; do
  case "$1" in
    --root) [ $# -ge 2 ] || die_usage "--root needs a directory"; root=$2; shift 2 ;;
    --root=*) root=${1#--root=}; shift ;;
    --jar) [ $# -ge 2 ] || die_usage "--jar needs a path"; jar=$2; shift 2 ;;
    --jar=*) jar=${1#--jar=}; shift ;;
    -h|--help) usage; exit 0 ;;
    agent|collector)
      [ -z "$component" ] || die_usage "give one component, not '$component' and '$1'"
      component=$1; shift ;;
    *) die_usage "unknown argument '$1'" ;;
  esac
done
[ -n "$component" ] || die_usage "say what to install: agent or collector"
[ -n "$root" ] || die_usage "--root needs a directory"
[ -d "$root" ] || die "root directory $root does not exist: create it first"
root=$(cd "$root" && pwd)
if [ "$root" = / ] && [ "$(id -u)" -ne 0 ]; then
  die "installing into / needs root: run with sudo (or use --root DIR for a scratch root)"
fi

case "$component" in
  agent) user=redwatch-agent ;;
  collector) user=redwatch ;;
esac
name=redwatch-$component
[ -n "$jar" ] || jar=$repo/$component/target/$name.jar
[ -f "$jar" ] || die "jar not found at $jar: run mvn -B package first (or pass --jar PATH)"
unit_src=$here/systemd/$name.service
config_src=$here/config/$component.yaml
[ -f "$unit_src" ] || die "unit file missing at $unit_src: is this a complete checkout?"
[ -f "$config_src" ] || die "example config missing at $config_src: is this a complete checkout?"

# Paths below are as the service sees them; $root is prepended only when writing.
in_root() { if [ "$root" = / ]; then echo "$1"; else echo "$root$1"; fi; }

# --- system user ----------------------------------------------------------------------------
# A system account without login whose home is the state directory systemd creates for the unit.
user_args=(--system --user-group --no-create-home --home-dir "/var/lib/$name" --shell /usr/sbin/nologin
           --comment "redwatch $component")
if [ "$root" = / ]; then
  if id -u "$user" >/dev/null 2>&1; then
    echo "user $user exists"
  else
    useradd "${user_args[@]}" "$user"
    echo "created system user $user"
  fi
elif grep -q "^$user:" "$root/etc/passwd" 2>/dev/null; then
  echo "user $user exists in $root/etc/passwd"
elif [ -f "$root/etc/passwd" ] && out=$(useradd --root "$root" "${user_args[@]}" "$user" 2>&1); then
  echo "created system user $user in $root/etc/passwd"
else
  echo "notice: user $user not created: $root has no usable /etc/passwd${out:+ ($out)}."
  echo "        Create it on the target host: useradd ${user_args[*]@Q} $user"
fi
# The group's id inside the root, so file ownership is right even in an image being built.
gid=$(awk -F: -v g="$user" '$1 == g { print $3 }' "$(in_root /etc/group)" 2>/dev/null || true)

# --- files ----------------------------------------------------------------------------------
opt_dir=$(in_root /opt/redwatch)
unit_dir=$(in_root /etc/systemd/system)
etc_dir=$(in_root /etc/redwatch)
install -d -m 0755 "$opt_dir" "$unit_dir" "$etc_dir"

# Copy then rename: a running JVM keeps reading the old jar; overwriting it in place can crash it.
install -m 0644 "$jar" "$opt_dir/.$name.jar.new"
mv -f "$opt_dir/.$name.jar.new" "$opt_dir/$name.jar"
echo "installed $opt_dir/$name.jar"

install -m 0644 "$unit_src" "$unit_dir/.$name.service.new"
mv -f "$unit_dir/.$name.service.new" "$unit_dir/$name.service"
echo "installed $unit_dir/$name.service"

config=$etc_dir/$component.yaml
if [ -e "$config" ]; then
  echo "kept existing $config (the example is $config_src)"
else
  # Readable by the service's group only: it names password files and hosts.
  install -m 0640 "$config_src" "$config"
  if [ -n "$gid" ]; then
    chown "0:$gid" "$config"
  else
    echo "notice: group $user not found; $config is root:root 0640, run: chgrp $user /etc/redwatch/$component.yaml"
  fi
  echo "installed $config"
fi

# --- systemd --------------------------------------------------------------------------------
reloaded=no
if [ "$root" = / ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  systemctl daemon-reload
  reloaded=yes
fi
if [ "$root" = / ] && [ ! -x /usr/bin/java ]; then
  echo "warning: /usr/bin/java not found; the unit starts /usr/bin/java: install a Java 17+ runtime"
fi

echo
echo "Next steps:"
step=1
next() { echo "  $step. $*"; step=$((step + 1)); }
if [ "$component" = agent ]; then
  next "edit /etc/redwatch/agent.yaml: collector.address and one redis entry per server (url, log_file)"
else
  next "create the database role and its password file:"
  echo "       sudo -u postgres createuser --createdb --pwprompt redwatch"
  echo "       install -m 0640 -o root -g redwatch /dev/null /etc/redwatch/db.pass   # then write the password into it"
  next "edit /etc/redwatch/collector.yaml (bind: 0.0.0.0 once remote agents report here)"
  next "apply the schema: sudo -u redwatch java -jar /opt/redwatch/redwatch-collector.jar migrate --config /etc/redwatch/collector.yaml"
fi
[ "$reloaded" = yes ] || next "systemctl daemon-reload"
next "systemctl enable --now $name"
if [ "$component" = agent ]; then
  next "journalctl -u $name -f"
else
  next "curl -fsS http://127.0.0.1:7401/health && journalctl -u $name -f"
fi
