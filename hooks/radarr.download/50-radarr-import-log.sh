#!/bin/sh
# A Radarr Custom Script (Settings -> Connect -> Custom Script, "On File Import" and "On File
# Upgrade"), run by hookd unchanged: its sidecar says `"arrScript": "radarr"`, so it gets the
# radarr_* variables Radarr would set. It writes one line per imported movie: to stdout (Radarr
# logs it, hookd keeps it in the invocation log), appended to $IMPORT_LOG when that is set, and
# posted to an ntfy-style topic URL in $NTFY_URL when that is set and curl is installed.
set -u

case "${radarr_eventtype:-}" in
  Test)
    # Radarr's Test button runs the script with only the event type and the instance.
    echo "Custom Script test from ${radarr_instancename:-Radarr}: OK"
    exit 0
    ;;
  Download) ;;
  *) exit 0 ;; # other events: nothing to do (Radarr only sends those the connection enables)
esac

if [ "${radarr_isupgrade:-False}" = "True" ]; then
  what="Upgraded"
else
  what="Imported"
fi
line="$what: ${radarr_movie_title} (${radarr_movie_year}) [${radarr_moviefile_quality}] -> ${radarr_moviefile_path}"
[ -n "${radarr_download_client:-}" ] && line="$line (from ${radarr_download_client})"

echo "$line"
if [ -n "${IMPORT_LOG:-}" ]; then
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$line" >> "$IMPORT_LOG" || exit 1
fi
if [ -n "${NTFY_URL:-}" ] && command -v curl >/dev/null 2>&1; then
  curl -fsS -m 10 -H "Title: Radarr: ${radarr_movie_title}" -d "$line" "$NTFY_URL" >/dev/null || echo "could not notify $NTFY_URL" >&2
fi
exit 0
