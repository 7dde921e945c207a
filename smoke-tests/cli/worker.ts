// One worker of a drill or gate run with --workers N (gate.workers): started by the coordinator (workers/pool.ts),
// never by hand. Its connection comes from the environment, never argv (the token is its credential):
// MP_WORKER_COLLECTOR=<host>:<port>, MP_WORKER_INDEX (or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX) and
// MP_WORKER_TOKEN (or in a pod MP_WORKER_TOKEN_FILE, its Secret mounted as a file). Exits 0 once its coordinator
// closed it, 1 if the coordinator went away first.
import { checkCommandLine, main } from "../../toolchain/src/command-line";
import { workerConnectionFrom } from "../workers/connection";
import { runWorker } from "../workers/worker";

main(async () => {
  checkCommandLine(process.argv.slice(2), {
    command: "worker",
    usage:
      "started by a drill's coordinator with MP_WORKER_COLLECTOR, MP_WORKER_INDEX and MP_WORKER_TOKEN (or MP_WORKER_TOKEN_FILE) set",
  });
  return runWorker(workerConnectionFrom(process.env));
});
