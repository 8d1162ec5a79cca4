package drop

import (
	"os"
	"syscall"
)

// failpoint names a step at which the process kills itself with SIGKILL,
// from ORDERHUB_FAILPOINT: the crash tests run orderhub serve with it to
// die at exactly the step they test, which a kill from outside could only
// hit by luck. The steps of a pull, in order:
//
//	drop.fetched   the file is in the spool and synced, not in the ledger
//	drop.recorded  the ledger has it, intake has not read it
//	drop.read      intake has read it, the server still has it
var failpoint = os.Getenv("ORDERHUB_FAILPOINT")

func crashPoint(step string) {
	if failpoint != "" && failpoint == step {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
}
