#!/usr/bin/env bash
# Run in a RabbitMQ container (the peers' NetworkPolicy admits it to the distribution port): for each host:port,
# open a TCP connection, send a plaintext Erlang distribution handshake (its first message, given as printf escapes in
# $1) and print the first bytes of the reply in hex, or that the connection could not be made:
#   <host:port> connected <hex>      (empty hex: closed without a reply, or nothing within 3 s)
#   <host:port> not-connected
# bash's /dev/tcp, as the image has no nc.
# No -e: a failed connection is a result, printed and moved past.
set -uo pipefail
message=$1
shift
for endpoint in "$@"; do
  host=${endpoint%:*}
  port=${endpoint##*:}
  if reply=$(
    # Quiet: bash's and head's own errors (refused, reset) would interleave with the result lines.
    exec 2>/dev/null
    exec 3<>"/dev/tcp/$host/$port" || exit 9
    # shellcheck disable=SC2059 # the message is printf escapes on purpose
    printf "$message" >&3
    # No reply within 3 s is a result too (timeout exits 124), not a failed connection.
    { timeout 3 head -c 32 <&3 || true; } | od -An -v -tx1 | tr -d ' \n'
  ); then
    echo "$endpoint connected $reply"
  else
    echo "$endpoint not-connected"
  fi
done
