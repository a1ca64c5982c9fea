package process

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// The test binary doubles as the guard and as an "agent" that pauses a
// process, so the e2e tests run real processes without the CLI.
func TestMain(m *testing.M) {
	switch os.Getenv("FAULTLINE_TEST_ROLE") {
	case "guard":
		fs := flag.NewFlagSet("guard", flag.ExitOnError)
		pid := fs.Int("pid", 0, "")
		file := fs.String("lease-file", "", "")
		life := fs.Duration("max-life", time.Hour, "")
		_ = fs.Parse(os.Args[1:])
		if err := RunGuard(Target{PID: *pid}, *file, *life); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	case "agent":
		pid, _ := strconv.Atoi(os.Getenv("FAULTLINE_TEST_PID"))
		lease, _ := time.ParseDuration(os.Getenv("FAULTLINE_TEST_LEASE"))
		if _, err := testGuard(os.Getenv("FAULTLINE_TEST_DIR")).Pause(Target{PID: pid}, lease); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("paused")
		time.Sleep(time.Minute) // until the test SIGKILLs us
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func testGuard(dir string) Guard {
	exe, _ := os.Executable()
	return Guard{Exe: exe, Args: []string{}, Env: []string{"FAULTLINE_TEST_ROLE=guard"}, Dir: dir, MaxLife: time.Minute}
}
