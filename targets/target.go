package targets

// Instance is one running instance of a target's service.
type Instance struct {
	Role   string            `json:"role"`
	ID     string            `json:"id"`
	PID    int               `json:"pid,omitempty"`
	Addr   string            `json:"addr"`
	Admin  string            `json:"admin,omitempty"`
	Host   string            `json:"host,omitempty"`
	State  string            `json:"state"`
	Labels map[string]string `json:"labels,omitempty"`
}
