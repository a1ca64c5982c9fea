// Package gameday runs a scenario on a cron schedule and keeps every run
// directory in an archive, for weekly game days.
//
// It owns the schedule (github.com/robfig/cron/v3), the archive layout
// (ARCHIVE/NAME-YYYYMMDD-HHMMSS/, one directory per run) and the lock that
// keeps two runs from overlapping, in one process (a tick while a run is
// going is skipped) and across processes (an flock on ARCHIVE/.lock).
// What one run does is the caller's RunFunc: it never starts agents or
// reads scenarios itself, and it reads results only through reports.
package gameday
