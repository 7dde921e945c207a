#!/bin/bash
# Run in a peer's container (bash -c, arguments: the isolated pod's IP, then its ports): try each port for 2 s.
# "open": connected, packets got through; "refused": rejected (kube-router REJECTs what a policy denies; a closed port
# would too); "blocked": the SYN was dropped. bash's /dev/tcp, as the images have no nc.
# No -e: a refused connection is an answer, not an error.
ip=$1
shift
for p in "$@"; do
  (exec 3<>"/dev/tcp/$ip/$p") 2>/dev/null &
  c=$!
  sleep 2
  if kill -0 $c 2>/dev/null; then
    kill $c
    echo "$p blocked"
  elif wait $c; then
    echo "$p open"
  else
    echo "$p refused"
  fi
done
