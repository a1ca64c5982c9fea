package coordinator

import "github.com/faultline/faultline/reports"

// tee returns a Sink that writes to primary and then shows the record to
// tap. tap's errors are ignored: a live view must never fail a run.
func tee(primary, tap Sink) Sink {
	if tap == nil {
		return primary
	}
	return teeSink{primary, tap}
}

type teeSink struct{ primary, tap Sink }

func (t teeSink) Agent(a reports.Agent) error {
	err := t.primary.Agent(a)
	_ = t.tap.Agent(a)
	return err
}

func (t teeSink) Window(w reports.Window) error {
	err := t.primary.Window(w)
	_ = t.tap.Window(w)
	return err
}

func (t teeSink) Event(e reports.Event) error {
	err := t.primary.Event(e)
	_ = t.tap.Event(e)
	return err
}
