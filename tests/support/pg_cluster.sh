#!/bin/bash
# A private PostgreSQL cluster for tests, in one folder:
#   pg_cluster.sh start DIR [--fresh]   initdb into DIR/data if it is missing, then start
#   pg_cluster.sh stop DIR              stop it (fast shutdown; killed if that hangs)
# The server listens only on a Unix socket in DIR (port 5432: the folder is private, so the
# number never collides with another cluster), as user "helpline" with trust
# authentication, and logs to DIR/postgres.log. Both commands are bounded and idempotent:
# start on a running cluster and stop on a stopped (or never made) one succeed. --fresh
# first stops whatever runs in DIR and removes its data and log (the CTest fixture starts
# every run on an empty cluster, so databases left by a crashed test never pile up).
#
# PostgreSQL refuses to run as root. Run by root, the cluster belongs to the user "nobody":
# DIR is chowned to it and every PostgreSQL program runs through setpriv, so DIR's parent
# folders must be searchable by others (a DIR under /tmp always is).
#
# Durability settings stay at PostgreSQL's defaults (fsync, synchronous_commit,
# full_page_writes on): the store's tests acknowledge tickets only after a commit and
# check that nothing acknowledged is lost across a restart.
set -u

readonly port=5432
readonly start_timeout=30 # seconds: pg_ctl start -w, and initdb
readonly stop_timeout=30  # seconds: pg_ctl stop -w, before the postmaster is killed

usage() {
    echo "usage: $0 start DIR [--fresh] | stop DIR" >&2
    exit 2
}
[ $# -ge 2 ] || usage
command=$1
fresh=false
case "$command:${3-}" in
start: | stop:) ;;
start:--fresh) fresh=true ;;
*) usage ;;
esac
[ $# -le 3 ] || usage

fail() {
    echo "pg_cluster.sh: $*" >&2
    exit 1
}

# The server programs: PostgreSQL 15 as Debian installs it, else whatever pg_config names.
bindir=${HELPLINE_PG_BINDIR:-}
if [ -z "$bindir" ]; then
    if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
        bindir=/usr/lib/postgresql/15/bin
    elif command -v pg_config >/dev/null; then
        bindir=$(pg_config --bindir)
    fi
fi
for tool in initdb pg_ctl postgres; do
    [ -n "$bindir" ] && [ -x "$bindir/$tool" ] ||
        fail "PostgreSQL's server programs (initdb, pg_ctl, postgres) were not found" \
            "(looked in ${bindir:-/usr/lib/postgresql/15/bin}): apt-get install postgresql-15"
done

# Nothing to stop in a folder that is not there (and stop must not create it).
[ "$command" = stop ] && [ ! -d "$2" ] && exit 0
mkdir -p "$2" || fail "cannot create the folder $2"
dir=$(cd "$2" && pwd -P) || fail "cannot enter the folder $2"
data=$dir/data
log=$dir/postgres.log
# sockaddr_un holds 107 bytes: DIR/.s.PGSQL.5432 must fit.
[ $((${#dir} + 13 + ${#port})) -le 107 ] ||
    fail "the folder $dir is too deep for a Unix socket path (at most 107 bytes with" \
        "'/.s.PGSQL.$port'): use a shorter one"

# as_owner CMD...: runs CMD as the user the cluster belongs to.
owner_uid=$(id -u)
if [ "$owner_uid" = 0 ]; then
    # A cluster made earlier by someone else stays theirs.
    owner_uid=$(stat -c %u "$data" 2>/dev/null || echo 0)
    [ "$owner_uid" = 0 ] && owner_uid=$(id -u nobody)
    owner_gid=$(id -g "$owner_uid" 2>/dev/null || id -g nobody)
    as_owner() { setpriv --reuid="$owner_uid" --regid="$owner_gid" --clear-groups -- "$@"; }
else
    as_owner() { "$@"; }
fi
# PostgreSQL's programs chdir back to the current folder; the caller's (e.g. /root) may be
# closed to the owner.
cd "$dir" || exit 1
unset PGDATA PGHOST PGPORT PGUSER PGDATABASE PGOPTIONS

# alive PID: the process runs. A zombie does not count: the postmaster's parent is init
# once pg_ctl has exited, and in a container init may reap late or never.
alive() {
    local stat
    kill -0 "$1" 2>/dev/null || return 1
    read -r stat <"/proc/$1/stat" 2>/dev/null || return 1
    stat=${stat##*) }
    [ "${stat:0:1}" != Z ] && [ "${stat:0:1}" != X ]
}

# The postmaster's pid if one runs on DIR/data (its pid file names a live postgres).
postmaster_pid() {
    local pid cmdline
    [ -f "$data/postmaster.pid" ] || return 1
    read -r pid <"$data/postmaster.pid" 2>/dev/null || return 1
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
    [[ $cmdline == *postgres* ]] && echo "$pid"
}

# Removes the pid file and the socket's lock file of a postmaster that is gone. PostgreSQL
# removes stale ones itself, except when their pid is a zombie (kill -0 still succeeds),
# which is what a killed postmaster stays when init does not reap.
remove_stale_pid_file() {
    postmaster_pid >/dev/null && return 0
    rm -f "$data/postmaster.pid" "$dir/.s.PGSQL.$port.lock"
}

# wait_gone PID SECONDS: polls until PID has exited; 1 if it is still there at the deadline.
wait_gone() {
    local deadline=$((SECONDS + $2))
    while alive "$1"; do
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.05
    done
}

stop_cluster() {
    local pid
    pid=$(postmaster_pid) || return 0
    as_owner "$bindir/pg_ctl" stop -D "$data" -m fast -w -t "$stop_timeout" >/dev/null 2>&1
    wait_gone "$pid" 1 && return 0
    # Fast shutdown hung: immediate shutdown, then SIGKILL for the postmaster and what it
    # started (its children by parent pid; nothing else is touched).
    echo "pg_cluster.sh: the server in $dir did not stop within ${stop_timeout}s; killing it" >&2
    kill -QUIT "$pid" 2>/dev/null
    wait_gone "$pid" 5 && return 0
    local children
    children=$(ps -o pid= --ppid "$pid" 2>/dev/null)
    kill -KILL "$pid" $children 2>/dev/null
    wait_gone "$pid" 5 || fail "the server in $dir (pid $pid) survived SIGKILL"
    remove_stale_pid_file
}

if [ "$command" = stop ]; then
    stop_cluster
    exit
fi

if $fresh; then
    stop_cluster || exit 1
    rm -rf "$data" "$log"
fi
if postmaster_pid >/dev/null; then
    exit 0
fi
remove_stale_pid_file

if [ "$(id -u)" = 0 ]; then
    chown "$owner_uid:$owner_gid" "$dir" || fail "cannot give $dir to uid $owner_uid"
    as_owner test -w "$dir" -a -x "$dir" ||
        fail "$dir is out of reach of the user nobody, who runs PostgreSQL for root:" \
            "a parent folder is not searchable by others (chmod o+x it, or use a folder under /tmp)"
fi
chmod 700 "$dir"

if [ ! -f "$data/PG_VERSION" ]; then
    rm -rf "$data"
    # --no-sync: initdb's final flush of every file protects against a machine crash only,
    # which a test cluster does not outlive; the server's own durability is untouched.
    if ! as_owner timeout "$start_timeout" "$bindir/initdb" -D "$data" -U helpline \
        --auth=trust --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
        tail -n 30 "$dir/initdb.log" >&2
        fail "initdb failed in $data (its output above)"
    fi
    echo "include 'helpline_test.conf'" >>"$data/postgresql.conf"
fi

# The test settings, rewritten at every start so that a cluster made by an older version of
# this script gets the current ones. The socket folder is quoted for the configuration file.
quoted_dir=${dir//\'/\'\'}
as_owner tee "$data/helpline_test.conf" >/dev/null <<EOF
# Written by tests/support/pg_cluster.sh at every start.
listen_addresses = ''
unix_socket_directories = '$quoted_dir'
port = $port
max_connections = 200
shared_buffers = 32MB
log_line_prefix = '%m [%p] %d '
EOF

log_size=$(stat -c %s "$log" 2>/dev/null || echo 0)
if ! as_owner "$bindir/pg_ctl" start -D "$data" -l "$log" -w -t "$start_timeout" >/dev/null 2>&1; then
    echo "--- $log since this start (its last 30 lines):" >&2
    tail -c +$((log_size + 1)) "$log" | tail -n 30 >&2
    stop_cluster
    fail "PostgreSQL did not start in $dir within ${start_timeout}s (its log above)"
fi
