package load

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/faultline/faultline/targets"
)

// Error classes of Window.Errors.
const (
	ErrClassTimeout    = "timeout"
	ErrClassRefused    = "connection_refused"
	ErrClassReset      = "reset"
	ErrClassEOF        = "eof"
	ErrClassDNS        = "dns"
	ErrClassTLS        = "tls"
	ErrClassNotAllowed = "not_allowed"
	ErrClassOther      = "other"
	// ErrClassCancelled counts requests cut off because the engine stopped;
	// they are not counted in Window.Requests.
	ErrClassCancelled = "cancelled"
)

// classify names the class of a request error. reqCtx is the request's own
// context (its deadline is the endpoint timeout) and base the engine's
// (cancelled when the engine stops). Contexts are checked first: an error
// from a cancelled read can look like anything.
func classify(err error, reqCtx, base context.Context) string {
	if base != nil && base.Err() != nil {
		return ErrClassCancelled
	}
	if reqCtx != nil && errors.Is(reqCtx.Err(), context.DeadlineExceeded) {
		return ErrClassTimeout
	}
	return classifyErr(err)
}

// classifyErr names the class of err from its type and wrapped causes.
func classifyErr(err error) string {
	var (
		dnsErr  *net.DNSError
		netErr  net.Error
		recErr  tls.RecordHeaderError
		certErr *tls.CertificateVerificationError
		alert   tls.AlertError
		unkAuth x509.UnknownAuthorityError
		hostErr x509.HostnameError
		invErr  x509.CertificateInvalidError
	)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, targets.ErrNotAllowed):
		return ErrClassNotAllowed
	case errors.Is(err, context.Canceled):
		return ErrClassCancelled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, syscall.ETIMEDOUT):
		return ErrClassTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return ErrClassRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return ErrClassReset
	case errors.As(err, &dnsErr):
		if dnsErr.IsTimeout {
			return ErrClassTimeout
		}
		return ErrClassDNS
	case errors.As(err, &recErr), errors.As(err, &certErr), errors.As(err, &alert),
		errors.As(err, &unkAuth), errors.As(err, &hostErr), errors.As(err, &invErr):
		return ErrClassTLS
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ErrClassEOF
	case errors.As(err, &netErr) && netErr.Timeout():
		return ErrClassTimeout
	}
	// net/http's HTTP/2 stream and GOAWAY errors are unexported types; their
	// text is the only handle on them.
	if s := err.Error(); strings.Contains(s, "stream error") || strings.Contains(s, "GOAWAY") {
		return ErrClassReset
	}
	return ErrClassOther
}
