// Package reports owns the Result model and its file format
// (faultline.result/v1, see README.md), the metrics computed from it, the
// judge of expectations and claims, run comparison, and the renderers.
//
// Files by concern:
//   - result.go, hist.go: the model; histograms read from JSON stay sparse.
//   - writer.go, record.go, reader.go: result.jsonl while running (fsync
//     each second), result.json at the end, reading back a cut file.
//   - series.go: windows merged per second slot across agents (counts add,
//     histograms merge, percentiles never averaged); Summary over a range.
//   - text.go, markdown.go, junit.go, html.go, charts.go, graph_svg.go,
//     render.go: the report formats.
//   - mannwhitney.go, compare*.go: comparing runs; history.go: archives.
//   - judge*.go, metrics_*.go: the judge and the metrics (other owners).
//
// It never talks to agents or targets: it reads a Result and nothing else.
// Subpackage gameday runs scenarios on a schedule.
package reports
