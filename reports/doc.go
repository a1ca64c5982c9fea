// Package reports owns the Result model and its file format
// (faultline.result/v1), the metrics computed from it, the judge of
// expectations and claims, run comparison, and the renderers.
//
// It never talks to agents or targets: it reads a Result and nothing else.
package reports
