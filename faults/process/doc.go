// Package process injects instance faults with signals: kill (SIGKILL),
// terminate (SIGTERM, then SIGKILL after a grace period), pause and
// resume (SIGSTOP/SIGCONT) and restart (through a hook, since only the
// supervisor knows how to start an instance), addressed by pid, pidfile
// or process group.
//
// A pause carries a lease enforced outside the agent: Pause starts a
// guard (`faultline guard`), a small detached process in its own session,
// which sends SIGCONT when the lease is not renewed. The lease is renewed
// by touching a file (its mtime is the last renewal, its content the
// lease length), not over a socket: a file needs no listener, no
// connection that dies with the agent, no port; it survives the agent's
// death by design (the guard sees the mtime go stale and resumes the
// process), and the same host's clock is used on both sides.
//
// Lease files are named after the pid, so that when a pause moves to
// another executor on the host (its first one was lost), the first one's
// guard, finding another live lease on the process, leaves the resume to
// it instead of ending the new pause early.
//
// The package sends signals and starts guards; it never decides which
// instance to hit (faults selects) and never restarts anything itself.
package process
