// The pause program of the test bed's real node: the process that holds a
// pod's namespaces (containerd's sandbox_image). No container registry can
// be reached here, so the test bed builds its own instead of pulling one.
// It waits for SIGTERM or SIGINT and exits 0; as PID 1 of the sandbox it
// also reaps children that end up re-parented to it.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	children := make(chan os.Signal, 16)
	signal.Notify(children, syscall.SIGCHLD)
	for {
		select {
		case <-stop:
			os.Exit(0)
		case <-children:
			for {
				pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
				if pid <= 0 || err != nil {
					break
				}
			}
		}
	}
}
