package scenarios

import (
	"strings"
	"sync"
)

// An OptionChecker validates the options of one target kind, for example
// the reference topology's resilience switches. The target package owns
// the meaning of its options; scenarios only places the error.
type OptionChecker func(options map[string]any) error

var optionCheckers sync.Map // kind -> OptionChecker

// RegisterOptionChecker makes Validate check target.options (and each
// variant's options merged over them) of the given kind with f. The binary
// registers the reference topology's checker at start-up, so that a typo
// in options fails at validation, before anything starts.
func RegisterOptionChecker(kind string, f OptionChecker) {
	optionCheckers.Store(kind, f)
}

// MergedOptions returns the target options with a variant's options laid
// over them: what the target sees during that variant's pass.
func MergedOptions(t Target, v Variant) map[string]any {
	out := make(map[string]any, len(t.Options)+len(v.Options))
	for k, x := range t.Options {
		out[k] = x
	}
	for k, x := range v.Options {
		out[k] = x
	}
	return out
}

func (v *validator) options() {
	f, ok := optionCheckers.Load(v.s.Target.Kind)
	if !ok {
		return
	}
	check := f.(OptionChecker)
	if err := check(v.s.Target.Options); err != nil {
		v.add(v.s.Target.Pos, "", "target.options: %s", oneLine(err))
	}
	for _, x := range v.s.Variants {
		if err := check(MergedOptions(v.s.Target, x)); err != nil {
			v.add(x.Pos, "", "variant %s: %s", x.Name, oneLine(err))
		}
	}
}

// oneLine folds a checker's multi-line error into one line, as every
// scenario error is.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
