#!/bin/sh
# Writes .env for docker-compose.yml from .env.example: every "change-me..." value becomes a fresh
# random secret (hex, so it is safe inside the database URLs), AIRFLOW_FERNET_KEY a valid Fernet key,
# and AIRFLOW_UID the id of the user running this script (50000 when that is root). Everything else is copied as it is.
#
#   sh docker/make-env.sh [--force] [OUTPUT]      (OUTPUT defaults to .env next to .env.example)
#
# It never overwrites an existing file unless --force is given: the database passwords are only
# applied when the postgres volume is created, and a new KPI_PII_KEY changes every pseudonym.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
force=0
if [ "${1:-}" = "--force" ]; then force=1; shift; fi
out=${1:-"$here/.env"}
example="$here/.env.example"

if [ -e "$out" ] && [ "$force" -ne 1 ]; then
    echo "$out exists; not overwriting it (use --force to replace it)." >&2
    exit 1
fi

random_hex() {  # 32 random bytes as 64 hex digits
    if command -v openssl >/dev/null 2>&1; then
        openssl rand -hex 32
    else
        od -An -N32 -tx1 /dev/urandom | tr -d ' \n'
    fi
}

fernet_key() {  # urlsafe base64 of 32 random bytes, as cryptography.fernet.Fernet.generate_key()
    if command -v openssl >/dev/null 2>&1; then
        openssl rand -base64 32 | tr '+/' '-_' | tr -d '\n'
    else
        head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '\n'
    fi
}

uid=$(id -u)
# as root, keep the image's own airflow user (50000) rather than running Airflow as root
if [ "$uid" -eq 0 ]; then uid=50000; fi
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
: > "$tmp"
chmod 600 "$tmp"
while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
        AIRFLOW_UID=*)
            printf 'AIRFLOW_UID=%s\n' "$uid" >> "$tmp" ;;
        AIRFLOW_FERNET_KEY=change-me*)
            printf 'AIRFLOW_FERNET_KEY=%s\n' "$(fernet_key)" >> "$tmp" ;;
        [A-Za-z_]*=change-me*)
            printf '%s=%s\n' "${line%%=*}" "$(random_hex)" >> "$tmp" ;;
        *)
            printf '%s\n' "$line" >> "$tmp" ;;
    esac
done < "$example"
mv "$tmp" "$out"
trap - EXIT
echo "Wrote $out (mode 600). The Airflow admin password is _AIRFLOW_WWW_USER_PASSWORD in it."
