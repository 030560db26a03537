#!/bin/sh
# A command hook (action): after a download completes, report the free space on the disk that
# holds it, and warn when it is below MIN_FREE_GIB (default 10). hookd runs it with no shell of
# its own and an environment built from nothing: the event JSON on stdin, HOOKD_EVENT_TYPE,
# HOOKD_PAYLOAD_* (here HOOKD_PAYLOAD_PATH), the names its sidecar (.sh.json) lists, and PATH.
# stdout, if it is one JSON document, is the result; stderr lines go to the invocation log.
set -eu

dir=${HOOKD_PAYLOAD_PATH:-.}
# The download may have been moved or be a file: walk up to a directory that exists.
while [ ! -d "$dir" ]; do dir=$(dirname -- "$dir"); done

free_kib=$(df -Pk -- "$dir" | awk 'NR == 2 { print $4 }')
min_gib=${MIN_FREE_GIB:-10}
free_gib=$((free_kib / 1048576))
low=false
if [ "$free_gib" -lt "$min_gib" ]; then
  low=true
  echo "low disk space: ${free_gib} GiB free on $dir (below MIN_FREE_GIB=$min_gib)" >&2
fi

# JSON-escape the path (backslashes and quotes) before printing it.
json_dir=$(printf '%s' "$dir" | sed 's/\\/\\\\/g; s/"/\\"/g')
printf '{"event":"%s","path":"%s","freeKiB":%s,"lowSpace":%s}\n' "$HOOKD_EVENT_TYPE" "$json_dir" "$free_kib" "$low"
