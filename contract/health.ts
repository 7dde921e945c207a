// A health probe's answer: healthy or not, and in words why not (it goes on a report's timeline and in the deploy
// summary). The probes that produce it live in brokers/.
export interface Health {
  healthy: boolean;
  detail: string;
}
