// Pure: the active KRaft controller, from the output of in-container/kafka-quorum-status.sh.

/** `describe --status` → the leader's pod: the voter whose id is LeaderId, named by its endpoint's first label. */
export function leaderFromQuorumStatus(out: string): string | undefined {
  const leaderId = /^LeaderId:\s+(\d+)/m.exec(out)?.[1];
  const voters = /^CurrentVoters:\s+(\[.*\])\s*$/m.exec(out)?.[1];
  if (!leaderId || !voters) return undefined;
  const list = JSON.parse(voters) as Array<{ id: number; endpoints: string[] }>;
  const endpoint = list.find((v) => String(v.id) === leaderId)?.endpoints[0];
  return endpoint ? /^[A-Z_]+:\/\/([^.:]+)/.exec(endpoint)?.[1] : undefined;
}
