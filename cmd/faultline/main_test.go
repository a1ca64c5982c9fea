package main

import (
	"errors"
	"testing"
)

func TestIsUsageError(t *testing.T) {
	cases := []struct {
		msg   string
		usage bool
	}{
		{`unknown command "bogus" for "faultline"`, true},         // a typo in the subcommand
		{"accepts 1 arg(s), received 0", true},                    // cobra.ExactArgs
		{"requires at least 1 arg(s), only received 0", true},     // cobra.MinimumNArgs
		{`required flag(s) "cron" not set`, true},                 // MarkFlagRequired
		{"listen tcp 127.0.0.1:0: bind: invalid argument", false}, // a syscall's EINVAL is the harness's
		{"start reference target: exec: unknown command", false},  // words inside a harness error
	}
	for _, c := range cases {
		if got := isUsageError(errors.New(c.msg)); got != c.usage {
			t.Errorf("%q: usage=%v, want %v", c.msg, got, c.usage)
		}
	}
}
