#!/usr/bin/env bash
# ConfigPortal's one test command (the README's; .ci/run calls exactly this script).
#  1. makes sure the system packages the tests use are there: chromium (browser test), openssh-server (SSH device
#     tests), patch (unified diff round trip), sqlite3, docker-compose (offline compose validation); as root on Debian it installs the missing ones with apt-get,
#     otherwise it names them and stops;
#  2. restores the .NET tools and builds the solution once (Release);
#  3. checks that both EF Core migration sets (SQLite, SQL Server) are in step with the model, that the committed
#     idempotent SQL Server script (docker/sql/configportal.sql) is the one the migrations generate, that the compose
#     file validates offline (docker-compose v1 `config`) and that `dotnet publish` (what the Dockerfile copies)
#     succeeds and its output starts and answers its health check; each counts as one check in the totals;
#  4. runs every test project under tests/ (not the benchmarks) on Microsoft.Testing.Platform, keeps going when one
#     fails, and ends with a summary: per project its counts, the names of skipped tests, the names of failed tests
#     with the first lines of their errors (from the logs), and as its very last line "N passed, N failed".
#     Exit status: 0 only when nothing failed.
# Logs of each step: artifacts/test-logs/.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

logs=artifacts/test-logs
rm -rf "$logs"
mkdir -p "$logs"

# --- 1. System packages --------------------------------------------------------------------------------------------
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
command -v patch >/dev/null 2>&1 || missing+=(patch)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if ((${#missing[@]} > 0)); then
    if [[ $(id -u) -eq 0 && -f /etc/debian_version ]] && command -v apt-get >/dev/null 2>&1; then
        echo "== Installing missing system packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update
        apt-get install -y --no-install-recommends "${missing[@]}"
    else
        echo "The tests need these system packages, which are missing: ${missing[*]}" >&2
        echo "Install them (Debian: sudo apt-get install -y ${missing[*]}) or run ./test.sh as root on Debian." >&2
        exit 1
    fi
fi
if ! command -v dotnet >/dev/null 2>&1; then
    echo "The .NET SDK (see global.json) is not on PATH." >&2
    exit 1
fi

# --- 2. Tools and build --------------------------------------------------------------------------------------------
echo "== dotnet tool restore"
dotnet tool restore
echo "== dotnet build ConfigPortal.sln -c Release"
if ! dotnet build ConfigPortal.sln -c Release 2>&1 | tee "$logs/build.log"; then
    echo "Build failed (log: $logs/build.log)."
    echo "0 passed, 1 failed"
    exit 1
fi

failed=0
passed=0
problems=()

# --- 3. Migrations in step with the model --------------------------------------------------------------------------
# The design-time host is the web project's own; its data folder points at a temp dir so nothing lands in the tree.
ef_data=$(mktemp -d)
trap 'rm -rf "$ef_data"' EXIT
for provider in Sqlite SqlServer; do
    echo "== dotnet ef migrations has-pending-model-changes ($provider)"
    if dotnet ef migrations has-pending-model-changes \
        --project "src/ConfigPortal.Migrations.$provider" --startup-project src/ConfigPortal.Web \
        --configuration Release --no-build \
        -- --provider "$provider" --Database:DataDirectory "$ef_data" >"$logs/migrations-$provider.log" 2>&1; then
        tail -n 1 "$logs/migrations-$provider.log"
    else
        cat "$logs/migrations-$provider.log"
        problems+=("migrations for $provider lag the model (add one: dotnet ef migrations add <Name> --project src/ConfigPortal.Migrations.$provider --startup-project src/ConfigPortal.Web -- --provider $provider)")
        failed=$((failed + 1))
    fi
done

# The idempotent SQL Server script for DBAs: regenerated to a temp file and compared with the committed one.
echo "== dotnet ef migrations script --idempotent (SqlServer) vs docker/sql/configportal.sql"
sql_tmp="$ef_data/configportal.sql"
if dotnet ef migrations script --idempotent \
    --project src/ConfigPortal.Migrations.SqlServer --startup-project src/ConfigPortal.Web \
    --configuration Release --no-build -o "$sql_tmp" \
    -- --provider SqlServer --Database:DataDirectory "$ef_data" >"$logs/sql-script.log" 2>&1 \
    && diff -u --strip-trailing-cr docker/sql/configportal.sql "$sql_tmp" >>"$logs/sql-script.log" 2>&1; then
    echo "docker/sql/configportal.sql is current."
    passed=$((passed + 1))
else
    tail -n 40 "$logs/sql-script.log"
    problems+=("docker/sql/configportal.sql is not the script of the current migrations (regenerate: dotnet ef migrations script --idempotent --project src/ConfigPortal.Migrations.SqlServer --startup-project src/ConfigPortal.Web -o docker/sql/configportal.sql -- --provider SqlServer)")
    failed=$((failed + 1))
fi

# Compose file, validated offline (no Docker engine here): unknown keys, bad types, missing variables.
echo "== docker-compose --env-file docker/.env.example -f docker/compose.yaml config -q"
if docker-compose --env-file docker/.env.example -f docker/compose.yaml config -q >"$logs/compose.log" 2>&1 \
    && docker-compose --env-file docker/.env.example -f docker/compose.yaml --profile scale config -q >>"$logs/compose.log" 2>&1; then
    echo "docker/compose.yaml is valid (default and scale profiles)."
    passed=$((passed + 1))
else
    cat "$logs/compose.log"
    problems+=("docker/compose.yaml does not validate (log: $logs/compose.log)")
    failed=$((failed + 1))
fi

# The publish output the Dockerfile copies into the runtime image (self-contained, ReadyToRun composite: ADR-020;
# about 5 minutes on 2 cores), and a start of it the way the image starts it: the app host, Production settings, a
# fresh SQLite folder, until /health/live answers through the image's own HEALTHCHECK command.
echo "== dotnet publish src/ConfigPortal.Web -c Release -r linux-x64 (self-contained ReadyToRun composite, as the Dockerfile)"
publish_dir="$ef_data/publish"
publish_ok=0
if dotnet publish src/ConfigPortal.Web -c Release -o "$publish_dir" -r linux-x64 --self-contained true \
        -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true >"$logs/publish.log" 2>&1 \
    && [[ -x "$publish_dir/ConfigPortal.Web" && -f "$publish_dir/ConfigPortal.Web.r2r.dll" && -f "$publish_dir/ConfigPortal.Migrations.SqlServer.dll" ]]; then
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    mkdir -p "$ef_data/image-data" "$ef_data/image-keys"
    start_log="$PWD/$logs/publish-start.log" # absolute: the app host starts in its own folder, as in the image
    (cd "$publish_dir" && ASPNETCORE_URLS="http://127.0.0.1:$port" ASPNETCORE_ENVIRONMENT=Production \
        Database__DataDirectory="$ef_data/image-data" Audit__KeyFile="$ef_data/image-keys/audit-chain.key" \
        exec ./ConfigPortal.Web >"$start_log" 2>&1) &
    image_pid=$!
    for _ in $(seq 1 120); do
        if (cd "$publish_dir" && ./ConfigPortal.Web --healthcheck "http://127.0.0.1:$port/health/live") >/dev/null 2>&1; then
            publish_ok=1
            break
        fi
        kill -0 "$image_pid" 2>/dev/null || break
        sleep 0.5
    done
    kill "$image_pid" 2>/dev/null || true
    wait "$image_pid" 2>/dev/null || true
fi
if ((publish_ok)); then
    echo "publish output complete ($(find "$publish_dir" -type f | wc -l) files, $(du -sh "$publish_dir" | cut -f1)); it started and answered its health check."
    passed=$((passed + 1))
else
    tail -n 40 "$logs/publish.log"
    [[ -f "$logs/publish-start.log" ]] && tail -n 20 "$logs/publish-start.log"
    problems+=("dotnet publish src/ConfigPortal.Web (as the Dockerfile) failed, or its output did not start (logs: $logs/publish.log, $logs/publish-start.log)")
    failed=$((failed + 1))
fi

# --- 4. Test projects ----------------------------------------------------------------------------------------------
# Microsoft.Testing.Platform prints its summary as "total: N" / "failed: F" / "succeeded: S" (one per line here, or on
# one line); exit code 8 means zero tests ran, which is fine only for a project that has no tests at all.
summary_lines=()
failed_reports=()
skipped_reports=()

# The tests of one log that failed: Microsoft.Testing.Platform writes "failed <Namespace.Class.Method(args)> (<time>)"
# at the start of a line, then the error message and stack trace indented. Prints, for at most 10 tests, the name and
# at most 15 lines of its error (the message first, at most 3 stack frames), for the summary at the end.
failed_tests_of() {
    awk -v max_tests=10 -v max_lines=15 '
        { gsub(/\033\[[0-9;]*[A-Za-z]/, "") }
        /^failed [^ ]/ {
            tests++; inside = (tests <= max_tests); lines = 0; frames = 0
            if (inside) { name = substr($0, 8); sub(/ \([0-9][0-9hms .]*\)$/, "", name); print "    " name }
            next
        }
        /^[^ ]/ { inside = 0; next }
        inside && lines < max_lines {
            line = $0; sub(/^  /, "", line)
            if (line ~ /^from .*\.dll \(/) next
            # Stack frames: the first, then only ConfigPortal ones (not the reflection/xunit plumbing), 3 at most.
            if (line ~ /^ *at /) { if (frames >= 3 || (frames > 0 && line !~ /^ *at ConfigPortal\./)) next; frames++ }
            print "        " line; lines++
        }
        END { if (tests > max_tests) printf "    ... and %d more failed tests (see the log)\n", tests - max_tests }' "$1"
}

# The skipped tests of one log ("skipped <name>", then the reason indented), one line each.
skipped_tests_of() {
    awk '
        { gsub(/\033\[[0-9;]*[A-Za-z]/, "") }
        /^skipped [^ ]/ { if (name != "") print "    " name; name = substr($0, 9); sub(/ \([0-9][0-9hms .]*\)$/, "", name); next }
        name != "" && /^  / { line = $0; sub(/^ +/, "", line); if (line !~ /^from .*\.dll \(/) { print "    " name " (" line ")"; name = "" } next }
        name != "" { print "    " name; name = "" }
        END { if (name != "") print "    " name }' "$1"
}
for proj in tests/ConfigPortal.*.Tests/*.csproj; do
    dir=$(dirname "$proj")
    name=$(basename "$dir")
    log="$logs/$name.log"
    echo "== dotnet test --project $proj -c Release --no-build"
    set +e
    dotnet test --project "$proj" -c Release --no-build 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    # Numbers from the last summary of the log.
    read -r total f s < <(awk '
        /Test run summary/ { total = ""; f = ""; s = "" }
        { line = $0
          if (match(line, /total: *[0-9]+/))     { t = substr(line, RSTART, RLENGTH); gsub(/[^0-9]/, "", t); total = t }
          if (match(line, /failed: *[0-9]+/))    { t = substr(line, RSTART, RLENGTH); gsub(/[^0-9]/, "", t); f = t }
          if (match(line, /succeeded: *[0-9]+/)) { t = substr(line, RSTART, RLENGTH); gsub(/[^0-9]/, "", t); s = t } }
        END { print (total == "" ? "-" : total), (f == "" ? "-" : f), (s == "" ? "-" : s) }' "$log")
    if [[ $total == "-" ]]; then total=0; f=0; s=0; fi
    if [[ $rc -eq 0 ]]; then
        passed=$((passed + s)); failed=$((failed + f))
        summary_lines+=("$name: total $total, failed $f, succeeded $s")
    elif [[ $rc -eq 8 && $total -eq 0 ]] && ! grep -rqE --include='*.cs' --include='*.razor' '\[(Fact|Theory)' --exclude-dir=bin --exclude-dir=obj "$dir"; then
        summary_lines+=("$name: no tests in this project yet (0)")
    else
        passed=$((passed + s))
        # A crash, a failed fixture or zero tests run in a project that has tests counts at least one failure.
        (( f > 0 )) || f=1
        failed=$((failed + f))
        summary_lines+=("$name: FAILED (exit code $rc; total $total, failed $f, succeeded $s; log: $log)")
        problems+=("$name failed (exit code $rc)")
        report=$(failed_tests_of "$log")
        # No test named (a crash, a fixture that failed to start, a build problem): the end of the log says why.
        [[ -n $report ]] || report=$(printf '    no failed test named in the log; its last lines:\n'; tail -n 15 "$log" | sed 's/^/        /')
        failed_reports+=("  $name:"$'\n'"$report")
    fi
    skipped=$(skipped_tests_of "$log")
    [[ -z $skipped ]] || skipped_reports+=("  $name:"$'\n'"$skipped")
done

echo
echo "== Summary"
for line in "${summary_lines[@]}"; do echo "  $line"; done
for p in "${problems[@]+"${problems[@]}"}"; do echo "  PROBLEM: $p"; done
if ((${#skipped_reports[@]} > 0)); then
    echo "== Skipped tests"
    for r in "${skipped_reports[@]}"; do echo "$r"; done
fi
if ((${#failed_reports[@]} > 0)); then
    echo "== Failed tests (first lines of each error; the whole output is in $logs/<project>.log)"
    for r in "${failed_reports[@]}"; do echo "$r"; done
fi
echo "$passed passed, $failed failed"
(( failed == 0 && ${#problems[@]} == 0 ))
