package proxy

import "github.com/prometheus/client_golang/prometheus"

// metrics live in a registry per Server, so that several servers in one
// process (links in a test) never collide.
type metrics struct {
	reg        *prometheus.Registry
	links      *prometheus.CounterVec
	active     *prometheus.GaugeVec
	bytesVec   *prometheus.CounterVec
	toxics     *prometheus.GaugeVec
	expired    *prometheus.CounterVec
	dialErrors *prometheus.CounterVec
	acceptErrs *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		links: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faultline_proxy_links_total", Help: "Connections accepted and linked to the upstream."}, []string{"proxy"}),
		active: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "faultline_proxy_links_active", Help: "Connections being carried."}, []string{"proxy"}),
		bytesVec: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faultline_proxy_bytes_total", Help: "Bytes read, by direction (fast-path links count when a copy ends)."}, []string{"proxy", "direction"}),
		toxics: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "faultline_proxy_toxics", Help: "Toxics installed."}, []string{"proxy"}),
		expired: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faultline_proxy_toxic_leases_expired_total", Help: "Toxics removed because their lease ran out."}, []string{"proxy"}),
		dialErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faultline_proxy_upstream_dial_errors_total", Help: "Connections dropped because the upstream did not answer."}, []string{"proxy"}),
		acceptErrs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faultline_proxy_accept_errors_total", Help: "Failed accepts (EMFILE: out of descriptors; clients then queue and time out)."}, []string{"proxy"}),
	}
	m.reg.MustRegister(m.links, m.active, m.bytesVec, m.toxics, m.expired, m.dialErrors, m.acceptErrs)
	return m
}

func (m *metrics) bytes(proxy string, d Direction, n int64) {
	if n > 0 {
		m.bytesVec.WithLabelValues(proxy, d.String()).Add(float64(n))
	}
}
