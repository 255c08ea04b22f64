#!/usr/bin/env bash
# Print the development secret NAME from var/secrets.env, generating it (32 random bytes,
# URL-safe) on first use; the file is created with mode 0600. Development only: set real
# secrets in the environment elsewhere.
set -euo pipefail
name="$1"
file="var/secrets.env"
mkdir -p var
umask 077
touch "$file"
chmod 600 "$file"
value="$(sed -n "s/^${name}=//p" "$file" | tail -n 1)"
if [ -z "$value" ]; then
  value="$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  printf '%s=%s\n' "$name" "$value" >> "$file"
fi
printf '%s' "$value"
