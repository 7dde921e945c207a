#!/bin/bash
# Run where a path to an isolated pod starts (a peer's container, the isolated pod's own, the drill's machine; bash -c,
# arguments: the far end's IP, then its ports). Opens a TCP connection to each port that answers within 2 s and holds
# it across the fault, then, once a line arrives on stdin (the fault has landed), writes a few bytes on each and
# reads after 2 s whether the far end's kernel acknowledged them: a policy that judges only new connections lets an
# established one through, and this is how that shows. /proc/net/tcp, as the images have no ss.
# Output, first phase: "<port> held <socket inode>" or "<port> not-open <open|refused|blocked>" per port, then "ready".
# Second phase, per held port: "<port> through acked" (nothing left unacknowledged), "<port> through reset" (the far
# end answered with a reset), "<port> cut unacked=<hex bytes> retransmits=<n>", or "<port> gone" (closed before the
# fault had landed: no evidence either way).
# No -e: a refused connection and a failed write are answers, not errors.
ip=$1
shift
trap '' PIPE
declare -A fds inodes
for p in "$@"; do
  # Probe first in a child: a dropped SYN would block the holding shell for minutes.
  (exec 3<>"/dev/tcp/$ip/$p") 2>/dev/null &
  c=$!
  for _ in {1..20}; do
    kill -0 $c 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 $c 2>/dev/null; then
    kill $c
    echo "$p not-open blocked"
  elif ! wait $c; then
    echo "$p not-open refused"
  # The braces keep stderr: `exec … 2>/dev/null` would close the shell's own stderr for good, and the exec's streams
  # (kubectl exec, the API server's) then end its stdin too.
  elif { exec {fd}<>"/dev/tcp/$ip/$p"; } 2>/dev/null; then
    fds[$p]=$fd
    link=$(readlink "/proc/$$/fd/$fd")
    link=${link#socket:[}
    inodes[$p]=${link%]}
    echo "$p held ${inodes[$p]}"
  else
    echo "$p not-open refused"
  fi
done
echo ready

# The socket's line in the connection table, by inode: "<state> <tx_queue hex> <retransmits>", or nothing.
socket_line() {
  local st queues retrnsmt inode
  # Columns: sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
  while read -r _ _ _ st queues _ retrnsmt _ _ inode _; do
    if [ "$inode" = "$1" ]; then
      echo "$st ${queues%%:*} $retrnsmt"
      return
    fi
  done < <(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null)
}

read -r _
declare -A gone
for p in "${!fds[@]}"; do
  if [ -z "$(socket_line "${inodes[$p]}")" ]; then
    gone[$p]=1
  else
    fd=${fds[$p]}
    printf 'probe\r\n' 2>/dev/null 1>&"$fd"
  fi
done
sleep 2
for p in "$@"; do
  [ -n "${fds[$p]:-}" ] || continue
  if [ -n "${gone[$p]:-}" ]; then
    echo "$p gone"
    continue
  fi
  line=$(socket_line "${inodes[$p]}")
  read -r _ tx retransmits <<<"$line"
  if [ -z "$line" ]; then
    echo "$p through reset"
  elif [ $((16#$tx)) -eq 0 ]; then
    echo "$p through acked"
  else
    echo "$p cut unacked=$tx retransmits=$retransmits"
  fi
done
