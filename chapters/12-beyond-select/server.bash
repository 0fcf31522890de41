# server.bash: sourced by this chapter's scripts. start_slowserver BACKEND
# starts common/slowserver on a free port with that backend and sets SLOW
# (its URL) and SERVER_PID; stop_slowserver ends it. server_cpu prints the
# CPU seconds (user + system) the server has used so far.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)

start_slowserver() {
    local dir line
    dir=$(mktemp -d)
    mkfifo "$dir/out"
    "$top/common/slowserver" --port 0 --backend "$1" >"$dir/out" 2>"${SERVER_LOG:-/dev/null}" &
    SERVER_PID=$!
    exec 4<"$dir/out"
    rm -rf "$dir"
    read -r -t 10 -u 4 line || { echo "the slow server did not start" >&2; return 1; }
    SLOW=${line#listening on }
}

stop_slowserver() {
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    exec 4<&-
}

server_cpu() {
    local stat fields
    stat=$(cat "/proc/$SERVER_PID/stat") || return 1
    read -r -a fields <<<"${stat##*) }"   # fields after "(comm)": utime is the 12th
    awk -v u="${fields[11]}" -v s="${fields[12]}" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.2f", (u + s) / hz }'
}
