#!/usr/bin/env bash
# Run Tipline's tests against a throwaway PostgreSQL 15 and MinIO.
#
# Usage: scripts/test.sh [test|bench|drill]  (make test / make bench / make drill)
#
# Environment:
#   GOTESTFLAGS        extra flags for go test, e.g. "-v" or "-run TestFoo"
#   TIPLINE_TEST_CMD   replaces the go test command (run with bash -c), e.g.
#                      TIPLINE_TEST_CMD='psql "$TIPLINE_TEST_DATABASE_URL" -c "select 1"'
#   TIPLINE_TEST_KEEP  =1 keeps the work dir (service logs, TMPDIR) for inspection
#
# Installs missing system packages (apt-get), builds MinIO and mailpit (SMTP)
# into .cache/bin and installs axe-core into .cache/npm once,
# starts the services on random loopback ports, runs the tests, then stops the
# services and removes the temp dirs on any exit: success, failure or signal.
set -euo pipefail

MODE=${1:-test}
case $MODE in
test | bench | drill) ;;
*)
	echo "usage: $0 [test|bench|drill]" >&2
	exit 2
	;;
esac

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

MINIO_MODULE=github.com/minio/minio
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
MAILPIT_MODULE=github.com/axllent/mailpit
MAILPIT_VERSION=v1.33.1
PG_BIN=/usr/lib/postgresql/15/bin

log() { echo "test.sh: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}
is_root() { [ "$(id -u)" -eq 0 ]; }

# CI's environment may lack Go on PATH.
command -v go >/dev/null || export PATH=$PATH:/usr/local/go/bin
command -v go >/dev/null || die "go not found"

# Chromium reads file names in the locale's encoding: the browser tests
# upload files with Chinese names, which need UTF-8.
[ "$(locale charmap 2>/dev/null)" = UTF-8 ] || export LC_ALL=C.UTF-8

# ---------------------------------------------------------------- packages
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
command -v gpg >/dev/null || missing+=(gnupg)
command -v chromium >/dev/null || missing+=(chromium)
pkg_installed fonts-noto-cjk || missing+=(fonts-noto-cjk)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v exiftool >/dev/null || missing+=(libimage-exiftool-perl) # metadata browser tests
[ -x "$PG_BIN/initdb" ] || missing+=(postgresql-15)
command -v npm >/dev/null || missing+=(npm) # axe-core for the accessibility tests
command -v gcc >/dev/null || missing+=(gcc libc6-dev) # go test -race needs cgo
command -v openssl >/dev/null || missing+=(openssl)   # the SMTP test server's certificate

if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	if is_root; then
		SUDO=()
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		SUDO=(sudo -n)
	else
		die "missing packages (${missing[*]}) and no root or passwordless sudo to install them"
	fi
	export DEBIAN_FRONTEND=noninteractive
	"${SUDO[@]}" apt-get update -qq
	"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >&2
fi

# ---------------------------------------------------------------- MinIO binary
# Built once into .cache/bin (git-ignored) and reused. The build info embedded
# in the binary tells whether it is complete and of the pinned version.
MINIO_BIN=${TIPLINE_TEST_MINIO_BIN:-$REPO/.cache/bin/minio}
minio_ok() { go version -m "$MINIO_BIN" 2>/dev/null | grep -Eq "^[[:space:]]+mod[[:space:]]+$MINIO_MODULE[[:space:]]+$MINIO_VERSION([[:space:]]|$)"; }

if [ -n "${TIPLINE_TEST_MINIO_BIN:-}" ]; then
	[ -x "$MINIO_BIN" ] || die "TIPLINE_TEST_MINIO_BIN=$MINIO_BIN is not executable"
elif ! minio_ok; then
	mkdir -p "$REPO/.cache/bin"
	# One build at a time; build into a scratch GOBIN, then rename into place.
	exec 9>"$REPO/.cache/minio-build.lock"
	flock 9
	if ! minio_ok; then
		log "building MinIO $MINIO_VERSION into .cache/bin (takes a few minutes the first time)"
		gobin=$(mktemp -d "$REPO/.cache/gobin.XXXXXX")
		if ! GOBIN=$gobin go install "$MINIO_MODULE@$MINIO_VERSION"; then
			rm -rf "$gobin"
			die "building MinIO failed"
		fi
		mv -f "$gobin/minio" "$MINIO_BIN"
		rm -rf "$gobin"
	fi
	exec 9>&-
fi

# ---------------------------------------------------------------- mailpit binary
# The SMTP server the notification tests send to, read back through its HTTP
# API; built once into .cache/bin like MinIO.
MAILPIT_BIN=${TIPLINE_TEST_MAILPIT_BIN:-$REPO/.cache/bin/mailpit}
mailpit_ok() { go version -m "$MAILPIT_BIN" 2>/dev/null | grep -Eq "^[[:space:]]+mod[[:space:]]+$MAILPIT_MODULE[[:space:]]+$MAILPIT_VERSION([[:space:]]|$)"; }

if [ -n "${TIPLINE_TEST_MAILPIT_BIN:-}" ]; then
	[ -x "$MAILPIT_BIN" ] || die "TIPLINE_TEST_MAILPIT_BIN=$MAILPIT_BIN is not executable"
elif ! mailpit_ok; then
	mkdir -p "$REPO/.cache/bin"
	exec 9>"$REPO/.cache/mailpit-build.lock"
	flock 9
	if ! mailpit_ok; then
		log "building mailpit $MAILPIT_VERSION into .cache/bin"
		gobin=$(mktemp -d "$REPO/.cache/gobin.XXXXXX")
		if ! GOBIN=$gobin go install "$MAILPIT_MODULE@$MAILPIT_VERSION"; then
			rm -rf "$gobin"
			die "building mailpit failed"
		fi
		mv -f "$gobin/mailpit" "$MAILPIT_BIN"
		rm -rf "$gobin"
	fi
	exec 9>&-
fi

# ---------------------------------------------------------------- axe-core
# The accessibility checker the browser tests inject into pages, installed
# once from the npm registry into .cache/npm (git-ignored). Never served.
AXE_VERSION=4.11.1
AXE_DIR=$REPO/.cache/npm/node_modules/axe-core
axe_ok() { [ -f "$AXE_DIR/axe.min.js" ] && grep -q "\"version\": \"$AXE_VERSION\"" "$AXE_DIR/package.json"; }
if ! axe_ok; then
	mkdir -p "$REPO/.cache/npm"
	exec 9>"$REPO/.cache/npm.lock" # one install at a time
	flock 9
	if ! axe_ok; then
		log "installing axe-core $AXE_VERSION into .cache/npm"
		npm install --prefix "$REPO/.cache/npm" --no-audit --no-fund --silent "axe-core@$AXE_VERSION" >&2 ||
			die "installing axe-core failed"
		axe_ok || die "axe-core $AXE_VERSION is not in $AXE_DIR after npm install"
	fi
	exec 9>&-
fi

# ---------------------------------------------------------------- cleanup
# Everything lives under one work dir. Root-owned 0755 so that the postgres
# user can reach its own subdirectory.
if is_root; then
	WORK=$(mktemp -d /tmp/tipline-test.XXXXXX)
else
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/tipline-test.XXXXXX")
fi
chmod 755 "$WORK"
PGDIR=$WORK/pg # data/, socket and postgres.log
PGDATA=$PGDIR/data
MINIODIR=$WORK/minio # data/, certs/ and minio.log
MAILPITDIR=$WORK/mailpit # its certificate, key and mailpit.log
TEST_TMP=$WORK/tmp   # TMPDIR of the tests
mkdir -p "$PGDIR" "$MINIODIR/data" "$MINIODIR/certs" "$MAILPITDIR" "$TEST_TMP"
chmod 700 "$PGDIR" "$MINIODIR"
chmod 1777 "$TEST_TMP"

MINIO_PID=
MAILPIT_PID=
TEST_PID=

# as_pg runs a command as the postgres user when we are root (PostgreSQL
# refuses to run as root), from a directory that user can read.
as_pg() {
	if is_root; then
		(cd "$PGDIR" && runuser -u postgres -- "$@")
	else
		(cd "$PGDIR" && "$@")
	fi
}

# stop_group sends SIGTERM to a process group (started with setsid; SIGINT
# would be ignored there), waits up to $2 seconds, then kills what is left.
stop_group() {
	local pgid=$1 secs=$2 i
	kill -TERM -- "-$pgid" 2>/dev/null || return 0
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 -- "-$pgid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL -- "-$pgid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	set +e
	if [ -n "$TEST_PID" ]; then
		# The tests' own process group: a running go test after a signal, or
		# anything the tests left behind.
		stop_group "$TEST_PID" 10
		wait "$TEST_PID" 2>/dev/null
	fi
	if [ -n "$MINIO_PID" ]; then
		log "stopping MinIO"
		kill -TERM "$MINIO_PID" 2>/dev/null
		for ((i = 0; i < 100; i++)); do
			kill -0 "$MINIO_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$MINIO_PID" 2>/dev/null
		wait "$MINIO_PID" 2>/dev/null
	fi
	if [ -n "$MAILPIT_PID" ]; then
		log "stopping mailpit"
		kill -TERM "$MAILPIT_PID" 2>/dev/null
		for ((i = 0; i < 50; i++)); do
			kill -0 "$MAILPIT_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$MAILPIT_PID" 2>/dev/null
		wait "$MAILPIT_PID" 2>/dev/null
	fi
	if [ -f "$PGDATA/postmaster.pid" ]; then
		log "stopping PostgreSQL"
		if ! as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 30 stop >/dev/null 2>&1; then
			local pid
			pid=$(head -n 1 "$PGDATA/postmaster.pid" 2>/dev/null)
			[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
		fi
	fi
	if [ "${TIPLINE_TEST_KEEP:-}" = 1 ]; then
		log "kept $WORK (logs: $PGDIR/postgres.log, $MINIODIR/minio.log; TMPDIR: $TEST_TMP)"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------- helpers
# A random port below Linux's ephemeral range (32768+), not listened on.
free_port() {
	local p i
	for ((i = 0; i < 100; i++)); do
		p=$(shuf -i 20000-32000 -n 1)
		if command -v ss >/dev/null; then
			ss -Htln "sport = :$p" | grep -q . || {
				echo "$p"
				return
			}
		elif ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	die "no free port found"
}

# http_ok PORT PATH: true if GET answers 2xx (curl, or bash's /dev/tcp).
http_ok() {
	local port=$1 path=$2
	if command -v curl >/dev/null; then
		curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port$path" 2>/dev/null
	else
		(
			exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
			printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3
			timeout 2 head -n 1 <&3 | grep -q '^HTTP/1\.[01] 2'
		) 2>/dev/null
	fi
}

show_log() {
	log "last lines of $1:"
	tail -n 30 "$1" >&2 || true
}

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# ---------------------------------------------------------------- PostgreSQL
if is_root; then
	id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin postgres
	chown postgres: "$PGDIR"
fi
as_pg "$PG_BIN/initdb" -D "$PGDATA" -A trust -U postgres -E UTF8 --locale=C --no-sync \
	>"$WORK/initdb.log" 2>&1 || {
	show_log "$WORK/initdb.log"
	die "initdb failed"
}
as_pg tee -a "$PGDATA/postgresql.conf" >/dev/null <<EOF
# scripts/test.sh: throwaway test server
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGDIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF

for attempt in 1 2 3; do
	PG_PORT=$(free_port)
	log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
	if as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDIR/postgres.log" -w -t 60 -o "-p $PG_PORT" start >/dev/null; then
		break
	fi
	[ "$attempt" -lt 3 ] || {
		show_log "$PGDIR/postgres.log"
		die "PostgreSQL did not start"
	}
done
for ((i = 0; ; i++)); do
	"$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres && break
	[ "$i" -lt 60 ] || {
		show_log "$PGDIR/postgres.log"
		die "PostgreSQL is not ready"
	}
	sleep 0.5
done

# ---------------------------------------------------------------- MinIO
MINIO_USER=tipline$(random_hex 4)
MINIO_PASS=$(random_hex 16)
for attempt in 1 2 3; do
	MINIO_PORT=$(free_port)
	MINIO_CONSOLE_PORT=$(free_port)
	while [ "$MINIO_CONSOLE_PORT" = "$MINIO_PORT" ]; do MINIO_CONSOLE_PORT=$(free_port); done
	log "starting MinIO on 127.0.0.1:$MINIO_PORT (console 127.0.0.1:$MINIO_CONSOLE_PORT)"
	# setsid: its own process group, out of reach of the terminal's Ctrl-C;
	# cleanup stops it.
	MINIO_ROOT_USER=$MINIO_USER MINIO_ROOT_PASSWORD=$MINIO_PASS MINIO_UPDATE=off \
		setsid "$MINIO_BIN" server \
		--address "127.0.0.1:$MINIO_PORT" \
		--console-address "127.0.0.1:$MINIO_CONSOLE_PORT" \
		--certs-dir "$MINIODIR/certs" \
		"$MINIODIR/data" >"$MINIODIR/minio.log" 2>&1 </dev/null &
	MINIO_PID=$!
	for ((i = 0; i < 120; i++)); do
		# live: the process answers; ready: storage is up too.
		http_ok "$MINIO_PORT" /minio/health/live && http_ok "$MINIO_PORT" /minio/health/ready && break 2
		kill -0 "$MINIO_PID" 2>/dev/null || break
		sleep 0.5
	done
	kill -KILL "$MINIO_PID" 2>/dev/null || true
	wait "$MINIO_PID" 2>/dev/null || true
	MINIO_PID=
	[ "$attempt" -lt 3 ] || {
		show_log "$MINIODIR/minio.log"
		die "MinIO did not start"
	}
done

# ---------------------------------------------------------------- mailpit
# SMTP with STARTTLS offered (a throwaway certificate for 127.0.0.1, which the
# tests trust) and any user name and password accepted, also without TLS.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 \
	-keyout "$MAILPITDIR/key.pem" -out "$MAILPITDIR/cert.pem" >"$MAILPITDIR/openssl.log" 2>&1 || {
	show_log "$MAILPITDIR/openssl.log"
	die "making the SMTP test certificate failed"
}
for attempt in 1 2 3; do
	MAILPIT_SMTP_PORT=$(free_port)
	MAILPIT_HTTP_PORT=$(free_port)
	while [ "$MAILPIT_HTTP_PORT" = "$MAILPIT_SMTP_PORT" ]; do MAILPIT_HTTP_PORT=$(free_port); done
	log "starting mailpit on 127.0.0.1:$MAILPIT_SMTP_PORT (API 127.0.0.1:$MAILPIT_HTTP_PORT)"
	setsid "$MAILPIT_BIN" \
		--smtp "127.0.0.1:$MAILPIT_SMTP_PORT" \
		--listen "127.0.0.1:$MAILPIT_HTTP_PORT" \
		--smtp-tls-cert "$MAILPITDIR/cert.pem" --smtp-tls-key "$MAILPITDIR/key.pem" \
		--smtp-auth-accept-any --smtp-auth-allow-insecure --smtp-disable-rdns \
		--database "$MAILPITDIR/mailpit.db" --disable-version-check \
		>"$MAILPITDIR/mailpit.log" 2>&1 </dev/null &
	MAILPIT_PID=$!
	for ((i = 0; i < 60; i++)); do
		http_ok "$MAILPIT_HTTP_PORT" /readyz && break 2
		kill -0 "$MAILPIT_PID" 2>/dev/null || break
		sleep 0.5
	done
	kill -KILL "$MAILPIT_PID" 2>/dev/null || true
	wait "$MAILPIT_PID" 2>/dev/null || true
	MAILPIT_PID=
	[ "$attempt" -lt 3 ] || {
		show_log "$MAILPITDIR/mailpit.log"
		die "mailpit did not start"
	}
done

# ---------------------------------------------------------------- tests
export TIPLINE_TEST_REQUIRE=1
export TIPLINE_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
export TIPLINE_TEST_S3_URL="s3://$MINIO_USER:$MINIO_PASS@127.0.0.1:$MINIO_PORT/?tls=false"
export TIPLINE_TEST_MINIO_BIN=$MINIO_BIN
export TIPLINE_TEST_PG_BIN=$PG_BIN # initdb and pg_ctl, for drills that restart a PostgreSQL of their own
export TIPLINE_TEST_SMTP_ADDR=127.0.0.1:$MAILPIT_SMTP_PORT
export TIPLINE_TEST_SMTP_CA=$MAILPITDIR/cert.pem
export TIPLINE_TEST_MAILPIT_URL=http://127.0.0.1:$MAILPIT_HTTP_PORT
TIPLINE_TEST_CHROMIUM=$(command -v chromium || true)
export TIPLINE_TEST_CHROMIUM
export TIPLINE_TEST_AXE=$AXE_DIR/axe.min.js
export TMPDIR=$TEST_TMP

read -r -a extra <<<"${GOTESTFLAGS:-}"
if [ -n "${TIPLINE_TEST_CMD:-}" ]; then
	cmd=(bash -c "$TIPLINE_TEST_CMD")
elif [ "$MODE" = bench ]; then
	# The end-to-end benchmarks of speed take seconds a run, and the scale
	# benchmark's percentiles need many calls, so -benchtime 1s would give
	# one post, or a p95 that is the slowest of a few calls: they run on
	# their own, as many times as BENCHMARKS.md says. -p 1: one package's
	# benchmarks at a time, or two would share the cores and time each other.
	own='^(BenchmarkNoJavaScriptUpload|BenchmarkBrowserSubmission|BenchmarkScale)$'
	cmd=(bash -c 'go test -p 1 -run "^$" -bench . -skip "$0" -benchmem -count=1 -timeout 60m "$@" ./... &&
		go test -run "^$" -bench "^BenchmarkNoJavaScriptUpload$" -benchtime 5x -benchmem -count=1 -timeout 20m "$@" ./cmd/tipline/ &&
		go test -run "^$" -bench "^BenchmarkBrowserSubmission$" -benchtime 6x -benchmem -count=1 -timeout 20m "$@" ./server/ &&
		go test -run "^$" -bench "^BenchmarkScale$" -benchtime 100x -benchmem -count=1 -timeout 60m "$@" ./internal/devseed/' \
		"$own" "${extra[@]}")
elif [ "$MODE" = drill ]; then
	# The flood drill and the fault drills at full scale, verbose: their
	# results are the output.
	cmd=(go test -run '^(TestFloodDrill|TestFault.*)$' -count=1 -v -timeout 45m "${extra[@]}" ./internal/drill/)
else
	# Every test, then the flood drill at small scale on its own, without the
	# race detector: it measures how fast GET / answers during a flood, which
	# other test packages running beside it would decide instead. go test
	# runs packages in the order given, two at a time here (-p is the number
	# of cores): the longest are named first, so that none of them starts
	# last and leaves the other core idle until it ends. The timeout only
	# catches a hang: the longest package, server (its browser tests), took
	# 18 to 24 minutes on the same machine on 2026-12-07.
	cmd=(bash -c 'go test -race -count=1 -timeout 40m "$@" ./server/ ./intake/ ./store/ ./cmd/tipline/ ./internal/drill/ ./... &&
		TIPLINE_DRILL_SCALE=small go test -run "^TestFloodDrill$" -count=1 -v -timeout 15m "$@" ./internal/drill/' \
		_ "${extra[@]}")
fi

log "running: ${cmd[*]}"
# In the background, in its own process group, so that a signal to this script
# runs the trap at once (bash defers traps until a foreground child exits) and
# the trap can stop go test together with the test binaries it started.
# No stdin: nothing may wait for input.
setsid "${cmd[@]}" </dev/null &
TEST_PID=$!
status=0
wait "$TEST_PID" || status=$?
log "tests exited with status $status"

left=$(ls -A "$TEST_TMP" | head -n 10 || true)
[ -z "$left" ] || log "note: the tests left files in TMPDIR: $(echo "$left" | tr '\n' ' ')"

exit "$status"
