package reference

import (
	"os/exec"
	"runtime"
	"syscall"
)

// spawner starts child processes from one OS thread that lives as long as
// the supervisor. Pdeathsig is tied to the thread that forked the child,
// not the process: forking from an arbitrary goroutine's thread could kill
// a child when the Go runtime retires that thread.
type spawner struct{ reqs chan spawnReq }

type spawnReq struct {
	cmd  *exec.Cmd
	errc chan error
}

func newSpawner() *spawner {
	s := &spawner{reqs: make(chan spawnReq)}
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the process
		for r := range s.reqs {
			r.errc <- r.cmd.Start()
		}
	}()
	return s
}

// start starts cmd in its own process group, to be killed by the kernel
// if the supervisor dies.
func (s *spawner) start(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	errc := make(chan error, 1)
	s.reqs <- spawnReq{cmd: cmd, errc: errc}
	return <-errc
}
