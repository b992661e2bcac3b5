#!/usr/bin/env bash
# scripts/lib/stack.sh — the pieces of a Madoguchi stack, shared by scripts/run and scripts/test.
#
# Sourced, it defines mg_* functions (safe under `set -euo pipefail`). Executed, it runs one
# action against an existing stack: db-stop, db-start, serve-pid and jobs-stop|jobs-start|jobs-pid
# for the HTTP tests, stop for an operator whose scripts/run was killed before it could clean up:
#
#     MG_VAR_DIR=/tmp/madoguchi-test.abc123 scripts/lib/stack.sh db-stop|db-start|serve-pid|stop
#
# Everything lives under one directory, $VAR (MG_VAR_DIR, default <repo>/var):
#
#     db/       MariaDB datadir (private server: own socket, no TCP, never the system service)
#     run/      sockets and pid files: mysqld.sock madoguchi.sock *.pid
#     log/      mysqld.log madoguchi.log jobs.log nginx-error.log nginx-access.log
#     secrets/  db_owner.password db_app.password master.key (0600, directory 0700)
#     tls/      self-signed certificate and key for localhost
#     nginx/    generated nginx.conf and nginx's temporary files
#     mail/ tmp/ backups/
#     madoguchi.conf  generated from conf/madoguchi.conf.in

# The sbin directories hold mariadbd and nginx; a non-login root shell may lack them.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin:/sbin" ;; esac
export PATH

# Always the tree this file is in (an MG_ROOT in the environment, as the HTTP tests have, is the
# same tree or a mistake).
MG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Debian packages the build, the stack and the tests need.
MG_PACKAGES=(build-essential autoconf automake pkg-config gettext libfcgi-dev libmariadb-dev
	mariadb-server mariadb-client mariadb-backup libssl-dev openssl libxml2-dev libpcre2-dev
	libjansson-dev libqrencode-dev libcmocka-dev libunistring-dev libcurl4-openssl-dev libarchive-dev zlib1g-dev nginx-light python3
	python3-pytest python3-requests curl wrk clang libclang-rt-14-dev ca-certificates procps
	chromium chromium-driver python3-selenium fonts-ipafont-gothic tzdata)

mg_say() { printf 'madoguchi: %s\n' "$*" >&2; }
mg_die() { printf 'madoguchi: error: %s\n' "$*" >&2; return 1; }

# Sets VAR, BUILD and the derived paths from the environment (absolute paths).
mg_paths() {
	local var=${MG_VAR_DIR:-$MG_ROOT/var}
	mkdir -p "$var"
	VAR=$(cd "$var" && pwd)
	BUILD=$(realpath -m "${MG_BUILD_DIR:-$MG_ROOT/build}")
	MG_DB_SOCKET=$VAR/run/mysqld.sock
	MG_DB_PID=$VAR/run/mysqld.pid
	MG_SERVE_SOCKET=$VAR/run/madoguchi.sock
	MG_SERVE_PID=$VAR/run/madoguchi.pid
	MG_JOBS_PID=$VAR/run/jobs.pid
	MG_NGINX_PID=$VAR/run/nginx.pid
	MG_CONF=$VAR/madoguchi.conf
	MG_HTTPS_PORT=${MG_HTTPS_PORT:-8443}
	MG_HTTP_PORT=${MG_HTTP_PORT:-8080}
	MG_WORKERS=${MG_WORKERS:-4}
	# A unix socket path must fit in sun_path (108 bytes with the NUL).
	if [ ${#MG_SERVE_SOCKET} -gt 100 ]; then
		mg_die "MG_VAR_DIR $VAR is too long for a unix socket path; choose a shorter one"
	fi
}

# Prints two free TCP ports on 127.0.0.1 ("https http"), for a throwaway stack.
mg_free_ports() {
	/usr/bin/python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
'
}

mg_as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ---------------------------------------------------------------------------------------------
# Packages

# Installs the Debian packages that are missing; prints nothing when all are present.
mg_ensure_packages() {
	local missing=() p status
	for p in "${MG_PACKAGES[@]}"; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ "$status" = "install ok installed" ] || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	mg_say "installing missing Debian packages: ${missing[*]}"
	# mariadb-server and nginx may start their system services when installed; nothing of
	# ours uses them (our server has its own datadir and socket, our nginx its own ports),
	# and we leave them as Debian set them up.
	# another install on the machine (a second checkout's scripts) holds the dpkg lock: wait
	mg_as_root apt-get -o DPkg::Lock::Timeout=900 update -qq || mg_die "apt-get update failed"
	mg_as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null ||
		mg_die "apt-get install failed for: ${missing[*]}"
}

# ---------------------------------------------------------------------------------------------
# Build

# Regenerates configure when needed, configures out of tree, builds with make -j2.
mg_build() {
	mg_paths
	local need_autoreconf='' f
	if [ ! -x "$MG_ROOT/configure" ]; then
		need_autoreconf=1
	else
		for f in "$MG_ROOT/configure.ac" "$MG_ROOT/Makefile.am" \
			$(find "$MG_ROOT" -name local.mk -not -path "$BUILD/*" -not -path "$MG_ROOT/.git/*"); do
			if [ "$f" -nt "$MG_ROOT/configure" ]; then need_autoreconf=1; break; fi
		done
	fi
	if [ -n "$need_autoreconf" ]; then
		mg_say "autoreconf"
		local out
		out=$(cd "$MG_ROOT" && autoreconf -fi 2>&1) || {
			printf '%s\n' "$out" >&2
			mg_die "autoreconf failed"
		}
	fi
	mkdir -p "$BUILD"
	# Every build the scripts make treats warnings as errors (a build tree configured without it,
	# by hand or by an older script, is configured again).
	local args=(--enable-werror)
	if [ -f "$BUILD/Makefile" ] && ! grep -q -- "--enable-werror" "$BUILD/config.status" 2>/dev/null; then
		rm -f "$BUILD/Makefile"
	fi
	if [ ! -f "$BUILD/Makefile" ]; then
		mg_say "configure ${args[*]:-} (in $BUILD)"
		# Its output goes to a file (autoconf's harmless "rm: cannot remove 'core'" among it:
		# the build tree has a core/ folder); shown when configure fails.
		(cd "$BUILD" && "$MG_ROOT/configure" -q "${args[@]}") >"$BUILD/configure.out" 2>&1 || {
			grep -v "cannot remove 'core'" "$BUILD/configure.out" | tail -n 20 >&2
			rm -f "$BUILD/Makefile"
			mg_die "configure failed (all of it in $BUILD/config.log)"
		}
	fi
	mg_say "make"
	make -C "$BUILD" -j2 -s V=0 >/dev/null || mg_die "build failed (errors above)"
}

# ---------------------------------------------------------------------------------------------
# MariaDB: a private server under $VAR/db

_mg_alive() { # pid → true when running (a zombie counts as gone)
	local pid=$1 state
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo X)
	[ "$state" != Z ] && [ "$state" != X ]
}

_mg_group_alive() { # process group → true while a member other than a zombie runs
	ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

_mg_pid_of() { # pid file → pid if the process is alive
	local f=$1 pid
	[ -s "$f" ] || return 1
	pid=$(tr -dc 0-9 <"$f")
	_mg_alive "$pid" || return 1
	printf '%s\n' "$pid"
}

# Waits up to $2 seconds for pid $1 to end; then SIGKILL.
_mg_wait_gone() {
	local pid=$1 secs=$2 name=$3 i
	for ((i = 0; i < secs * 10; i++)); do
		_mg_alive "$pid" || return 0
		sleep 0.1
	done
	mg_say "$name (pid $pid) did not stop within ${secs}s: SIGKILL"
	# Each daemon was started with setsid, so its process group holds it and its children.
	kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		_mg_alive "$pid" || return 0
		sleep 0.1
	done
}

_mg_mariadb() { # runs the client as the OS user over the private socket
	mariadb --no-defaults --socket="$MG_DB_SOCKET" -u "$(id -un)" "$@"
}

_mg_secret() { # file → creates it once with a random hex secret
	local file=$1 bytes=$2
	install -d -m 0700 "$VAR/secrets"
	if [ ! -s "$file" ]; then
		(umask 077 && openssl rand -hex "$bytes" >"$file.tmp" && mv "$file.tmp" "$file")
	fi
	chmod 0600 "$file"
}

mg_db_init() {
	mg_paths
	mkdir -p "$VAR/run" "$VAR/log" "$VAR/tmp"
	if [ ! -d "$VAR/db/mysql" ]; then
		mg_say "initialising MariaDB in $VAR/db"
		rm -rf "$VAR/db"
		mkdir -p "$VAR/db"
		local args=()
		[ "$(id -u)" -eq 0 ] && args+=(--user="$(id -un)")
		# --force: go on where the host name does not resolve (a bare container or chroot
		# without /etc/hosts); every account here is @localhost over the socket anyway.
		mariadb-install-db --no-defaults "${args[@]}" --force --datadir="$VAR/db" \
			--auth-root-authentication-method=socket --auth-root-socket-user="$(id -un)" \
			--skip-test-db >"$VAR/log/mariadb-install-db.log" 2>&1 || {
			tail -n 20 "$VAR/log/mariadb-install-db.log" >&2
			mg_die "mariadb-install-db failed (log: $VAR/log/mariadb-install-db.log)"
		}
	fi
	mg_db_start
	_mg_secret "$VAR/secrets/db_owner.password" 24
	_mg_secret "$VAR/secrets/db_app.password" 24
	local owner app
	owner=$(cat "$VAR/secrets/db_owner.password")
	app=$(cat "$VAR/secrets/db_app.password")
	# Idempotent: creates what is missing and sets the passwords from the files each time.
	# The owner may grant, because `madoguchi migrate` gives mg_app its rights table by table
	# (core/db/grants.c: SELECT and INSERT only on the append-only audit_log). So mg_app holds
	# nothing database-wide: a database-wide UPDATE or DELETE would override those table
	# grants. A var/ made before that gave it such rights; the REVOKE takes them back, and its
	# handler lets "no such grant" (1141) pass, so it is safe to run again.
	_mg_mariadb <<-SQL || mg_die "setting up the madoguchi database and users failed"
		CREATE DATABASE IF NOT EXISTS madoguchi CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
		CREATE USER IF NOT EXISTS 'mg_owner'@'localhost' IDENTIFIED BY '$owner';
		ALTER USER 'mg_owner'@'localhost' IDENTIFIED BY '$owner';
		GRANT ALL PRIVILEGES ON madoguchi.* TO 'mg_owner'@'localhost' WITH GRANT OPTION;
		CREATE USER IF NOT EXISTS 'mg_app'@'localhost' IDENTIFIED BY '$app';
		ALTER USER 'mg_app'@'localhost' IDENTIFIED BY '$app';
		DELIMITER //
		BEGIN NOT ATOMIC
		  DECLARE CONTINUE HANDLER FOR 1141 BEGIN END;
		  REVOKE ALL PRIVILEGES ON madoguchi.* FROM 'mg_app'@'localhost';
		END //
		DELIMITER ;
	SQL
}

mg_db_start() {
	mg_paths
	mkdir -p "$VAR/run" "$VAR/log" "$VAR/tmp"
	[ -d "$VAR/db/mysql" ] || mg_die "no MariaDB datadir in $VAR/db (run mg_db_init first)"
	if _mg_pid_of "$MG_DB_PID" >/dev/null && [ -S "$MG_DB_SOCKET" ]; then
		return 0
	fi
	local args=()
	[ "$(id -u)" -eq 0 ] && args+=(--user="$(id -un)")
	# setsid: a Ctrl-C on the terminal reaches scripts/run, which stops everything in order.
	# All descriptors go to files so a caller capturing output (pytest) is not held open.
	setsid mariadbd --no-defaults "${args[@]}" \
		--datadir="$VAR/db" \
		--socket="$MG_DB_SOCKET" \
		--skip-networking \
		--pid-file="$MG_DB_PID" \
		--log-error="$VAR/log/mysqld.log" \
		--tmpdir="$VAR/tmp" \
		--character-set-server=utf8mb4 \
		--collation-server=utf8mb4_unicode_ci \
		--innodb-buffer-pool-size=128M \
		--innodb-log-file-size=64M \
		--innodb-flush-log-at-trx-commit=2 \
		--max-connections=200 \
		</dev/null >>"$VAR/log/mysqld.log" 2>&1 &
	local pid=$! i
	for ((i = 0; i < 300; i++)); do
		if [ -S "$MG_DB_SOCKET" ] && _mg_mariadb -e 'SELECT 1' >/dev/null 2>&1; then
			return 0
		fi
		if ! _mg_alive "$pid"; then break; fi
		sleep 0.1
	done
	tail -n 25 "$VAR/log/mysqld.log" >&2 || true
	mg_die "MariaDB did not come up on $MG_DB_SOCKET (log: $VAR/log/mysqld.log)"
}

mg_db_stop() {
	mg_paths
	local pid
	pid=$(_mg_pid_of "$MG_DB_PID") || return 0
	mariadb-admin --no-defaults --socket="$MG_DB_SOCKET" -u "$(id -un)" \
		--shutdown-timeout=20 shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
	_mg_wait_gone "$pid" 30 mariadbd
}

# ---------------------------------------------------------------------------------------------
# Configuration files, certificate, secrets

_mg_sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

_mg_render() { # template → output with the @NAME@ placeholders substituted
	local in=$1 out=$2 user_line=
	[ "$(id -u)" -eq 0 ] && user_line="user $(id -un) $(id -gn);"
	sed -e "s|@VAR@|$(_mg_sed_escape "$VAR")|g" \
		-e "s|@ROOT@|$(_mg_sed_escape "$MG_ROOT")|g" \
		-e "s|@BUILD@|$(_mg_sed_escape "$BUILD")|g" \
		-e "s|@HTTPS_PORT@|$MG_HTTPS_PORT|g" \
		-e "s|@HTTP_PORT@|$MG_HTTP_PORT|g" \
		-e "s|@WORKERS@|$MG_WORKERS|g" \
		-e "s|@MODULES@|${MG_MODULES:-tickets rentals lessons}|g" \
		-e "s|@NGINX_USER_LINE@|$(_mg_sed_escape "$user_line")|g" \
		"$in" >"$out.tmp"
	mv "$out.tmp" "$out"
}

mg_configure_stack() {
	mg_paths
	mkdir -p "$VAR"/{run,log,mail,tmp,backups,nginx,tls}
	mkdir -p "$VAR"/nginx/tmp/{client_body,proxy,fastcgi,uwsgi,scgi}
	install -d -m 0700 "$VAR/secrets"
	_mg_secret "$VAR/secrets/master.key" 32
	_mg_secret "$VAR/secrets/backup.key" 32
	_mg_render "$MG_ROOT/conf/madoguchi.conf.in" "$MG_CONF"
	_mg_render "$MG_ROOT/conf/nginx.conf.in" "$VAR/nginx/nginx.conf"
	if [ ! -s "$VAR/tls/cert.pem" ] || [ ! -s "$VAR/tls/key.pem" ]; then
		mg_say "making a self-signed certificate for localhost in $VAR/tls"
		(umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-days 825 -subj /CN=localhost \
			-addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
			-keyout "$VAR/tls/key.pem" -out "$VAR/tls/cert.pem" 2>/dev/null) ||
			mg_die "openssl could not make the certificate"
		chmod 0644 "$VAR/tls/cert.pem"
	fi
}

mg_migrate() {
	mg_paths
	"$BUILD/madoguchi" -c "$MG_CONF" migrate
}

# ---------------------------------------------------------------------------------------------
# serve and nginx

# The demo tenant of scripts/run: created once, with an administrator and one staff member of
# each other role, and a platform operator 'ops' for the console; their issued passwords are
# kept in secrets/demo-logins.txt (0600).
# The tickets module's demo: a 600-seat hall from scripts/gen-seatmap imported as staff would,
# then conf/demo/tickets.sql (events, performances, prices, units) as the database root.
_mg_seed_demo_tickets() {
	local map_file=$VAR/tmp/demo-hall.xml out tenant map venue seats
	"$MG_ROOT/scripts/gen-seatmap" 600 "窓口デモ市民会館 大ホール" >"$map_file"
	out=$("$BUILD/madoguchi" -c "$MG_CONF" tickets import-map --tenant demo --venue-name "大ホール" \
		--name "大ホール（通常配置）" "$map_file") || mg_die "the demo seat map did not import"
	read -r map seats venue < <(sed -n 's/^seat map \([0-9]*\): \([0-9]*\) seats in venue \([0-9]*\).*/\1 \2 \3/p' <<<"$out")
	tenant=$(_mg_mariadb -N -B madoguchi -e "SELECT id FROM tenant WHERE slug = 'demo'")
	{ printf 'SET @t = %s, @venue = %s, @map = %s, @seats = %s;\n' "$tenant" "$venue" "$map" "$seats"
	  cat "$MG_ROOT/conf/demo/tickets.sql"; } |
		_mg_mariadb madoguchi ||
		mg_die "the demo events did not load (conf/demo/tickets.sql)"
	rm -f "$map_file"
}

# The rentals module's demo: conf/demo/rentals.sql (the 市民会館's spaces on the venue calendar,
# rooms, blocks, fees, equipment, hours and closed days) as the database root.
_mg_seed_demo_rentals() {
	local tenant
	tenant=$(_mg_mariadb -N -B madoguchi -e "SELECT id FROM tenant WHERE slug = 'demo'")
	{ printf 'SET @t = %s;\n' "$tenant"; cat "$MG_ROOT/conf/demo/rentals.sql"; } |
		_mg_mariadb madoguchi ||
		mg_die "the demo rooms did not load (conf/demo/rentals.sql)"
}

mg_seed_demo() {
	mg_paths
	local logins=$VAR/secrets/demo-logins.txt bin=$BUILD/madoguchi role out
	# A platform operator for the console at /_operator/ (also for a var/ seeded before it).
	if [ -s "$logins" ] && ! grep -q '^operator ' "$logins"; then
		out=$("$bin" -c "$MG_CONF" operator create ops --name "デモ運用担当")
		printf '%-11s login ID %-11s password %s   (https://localhost:%s/_operator/)\n' operator ops \
			"$(sed -n 's/^initial password.*: //p' <<<"$out")" "$MG_HTTPS_PORT" >>"$logins"
	fi
	if "$bin" -c "$MG_CONF" tenant show demo >/dev/null 2>&1; then
		return 0
	fi
	"$bin" -c "$MG_CONF" tenant create --slug demo --name "窓口デモ市民会館" \
		--modules "tickets rentals lessons" >/dev/null
	(umask 077 && : >"$logins.tmp")
	for role in admin general restricted; do
		out=$("$bin" -c "$MG_CONF" staff create --tenant demo --login "$role" \
			--name "デモ $role" --role "$role")
		printf '%-11s login ID %-11s password %s\n' "$role" "$role" \
			"$(sed -n 's/^initial password.*: //p' <<<"$out")" >>"$logins.tmp"
	done
	out=$("$bin" -c "$MG_CONF" operator create ops --name "デモ運用担当")
	printf '%-11s login ID %-11s password %s   (https://localhost:%s/_operator/)\n' operator ops \
		"$(sed -n 's/^initial password.*: //p' <<<"$out")" "$MG_HTTPS_PORT" >>"$logins.tmp"
	mv "$logins.tmp" "$logins"
	_mg_seed_demo_tickets
	_mg_seed_demo_rentals
	mg_say "created the demo tenant 'demo' (a 600-seat hall, two concerts on sale, a free-seating" \
		"lobby concert, merchandise; rooms to rent), its staff and the operator 'ops'"
}

mg_start_serve() {
	mg_paths
	if _mg_pid_of "$MG_SERVE_PID" >/dev/null; then
		mg_die "madoguchi serve is already running (pid $(cat "$MG_SERVE_PID"))"
	fi
	mkdir -p "$VAR/run" "$VAR/log"
	rm -f "$MG_SERVE_SOCKET"
	setsid "$BUILD/madoguchi" -c "$MG_CONF" serve </dev/null >>"$VAR/log/madoguchi.log" 2>&1 &
	local pid=$! i
	echo "$pid" >"$MG_SERVE_PID"
	for ((i = 0; i < 200; i++)); do
		[ -S "$MG_SERVE_SOCKET" ] && return 0
		_mg_alive "$pid" || break
		sleep 0.1
	done
	tail -n 25 "$VAR/log/madoguchi.log" >&2 || true
	mg_die "madoguchi serve did not open $MG_SERVE_SOCKET (log: $VAR/log/madoguchi.log)"
}

# The scheduler (`madoguchi jobs`): one per stack, logging to log/jobs.log.
mg_start_jobs() {
	mg_paths
	if _mg_pid_of "$MG_JOBS_PID" >/dev/null; then
		mg_die "madoguchi jobs is already running (pid $(cat "$MG_JOBS_PID"))"
	fi
	mkdir -p "$VAR/run" "$VAR/log"
	setsid "$BUILD/madoguchi" -c "$MG_CONF" jobs </dev/null >>"$VAR/log/jobs.log" 2>&1 &
	local pid=$! i
	echo "$pid" >"$MG_JOBS_PID"
	# It has started when it says so (after loading the modules and checking every schedule).
	for ((i = 0; i < 100; i++)); do
		grep -q "jobs: scheduler .*:$pid:.* started" "$VAR/log/jobs.log" 2>/dev/null && return 0
		_mg_alive "$pid" || break
		sleep 0.1
	done
	tail -n 25 "$VAR/log/jobs.log" >&2 || true
	mg_die "madoguchi jobs did not start (log: $VAR/log/jobs.log)"
}

# SIGTERM lets the job in progress finish (a backup may take a while); then SIGKILL, and the
# next scheduler records the run as abandoned and runs it again.
mg_stop_jobs() {
	mg_paths
	local pid
	if pid=$(_mg_pid_of "$MG_JOBS_PID"); then
		kill -TERM "$pid" 2>/dev/null || true
		_mg_wait_gone "$pid" 60 "madoguchi jobs"
	fi
	rm -f "$MG_JOBS_PID"
}

mg_start_nginx() {
	mg_paths
	if _mg_pid_of "$MG_NGINX_PID" >/dev/null; then
		mg_die "nginx is already running for $VAR (pid $(cat "$MG_NGINX_PID"))"
	fi
	local nginx=(nginx -p "$VAR/nginx" -c "$VAR/nginx/nginx.conf" -e "$VAR/log/nginx-error.log")
	"${nginx[@]}" -t -q 2>>"$VAR/log/nginx-error.log" || {
		tail -n 10 "$VAR/log/nginx-error.log" >&2
		mg_die "nginx rejected $VAR/nginx/nginx.conf"
	}
	setsid "${nginx[@]}" </dev/null >>"$VAR/log/nginx-error.log" 2>&1 &
	local pid=$! i
	for ((i = 0; i < 100; i++)); do
		if curl -ks -o /dev/null --max-time 2 "https://127.0.0.1:$MG_HTTPS_PORT/healthz"; then
			return 0
		fi
		_mg_alive "$pid" || break
		sleep 0.1
	done
	tail -n 25 "$VAR/log/nginx-error.log" >&2 || true
	mg_die "nginx did not answer on https://127.0.0.1:$MG_HTTPS_PORT/ (log: $VAR/log/nginx-error.log)"
}

mg_stop_serve() {
	mg_paths
	[ -s "$MG_SERVE_PID" ] || return 0
	local pid
	pid=$(tr -dc 0-9 <"$MG_SERVE_PID")
	[ -n "$pid" ] || { rm -f "$MG_SERVE_PID"; return 0; }
	if _mg_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		_mg_wait_gone "$pid" 20 "madoguchi serve"
	fi
	# Workers left behind by a master that died are in its process group (setsid).
	if _mg_group_alive "$pid"; then
		mg_say "madoguchi workers outlived their master: SIGKILL"
		kill -KILL -- "-$pid" 2>/dev/null || true
	fi
	rm -f "$MG_SERVE_PID"
}

mg_stop_nginx() {
	mg_paths
	local pid
	pid=$(_mg_pid_of "$MG_NGINX_PID") || return 0
	kill -TERM "$pid" 2>/dev/null || true
	_mg_wait_gone "$pid" 10 nginx
}

# Stops nginx, serve, the scheduler and MariaDB (in that order: no request reaches a stopped
# worker, and no job loses its database).
mg_stop_all() {
	mg_stop_nginx || true
	mg_stop_serve || true
	mg_stop_jobs || true
	mg_db_stop || true
}

# ---------------------------------------------------------------------------------------------
# Executed rather than sourced: one action for the HTTP tests.

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	usage="usage: MG_VAR_DIR=DIR $0 db-stop|db-start|serve-pid|jobs-stop|jobs-start|jobs-pid|stop"
	[ -n "${MG_VAR_DIR:-}" ] || { echo "$usage" >&2; exit 2; }
	case "${1:-}" in
	db-stop) mg_db_stop ;;
	db-start) mg_db_start ;;
	serve-pid) mg_paths && _mg_pid_of "$MG_SERVE_PID" ;;
	jobs-stop) mg_stop_jobs ;;
	jobs-start) mg_start_jobs ;;
	jobs-pid) mg_paths && _mg_pid_of "$MG_JOBS_PID" ;;
	stop) mg_stop_all ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
fi
