// Command faultline is the one binary: coordinator, agent, target, proxy
// and reports. Each subcommand lives in its own file and only parses flags
// before calling a package.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

func main() {
	os.Exit(execute())
}

func execute() int {
	err := rootCmd.Execute()
	if err == nil {
		return ExitOK
	}
	code := ExitHarness
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		code = ee.code
		err = ee.err
	case isUsageError(err):
		code = ExitInvalid
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "faultline: "+err.Error())
	}
	return code
}

// isUsageError recognises cobra's own complaints about the command line,
// which it returns as plain errors starting with these words. Only a
// prefix counts: a harness error that merely mentions "invalid argument"
// (a syscall's EINVAL, say) must stay exit 4.
func isUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires at most", "requires exactly", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
