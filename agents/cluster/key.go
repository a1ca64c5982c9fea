package cluster

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/memberlist"
)

// KeySize is the size of generated gossip keys: AES-256.
const KeySize = 32

// ErrNoKey is returned when a node would start without a gossip key.
// Gossip is always encrypted; there is no plaintext mode.
var ErrNoKey = errors.New("no gossip key: gossip is always encrypted (pass --key-file, or bind to loopback and let faultline generate one)")

// GenerateKey returns a fresh random AES-256 key.
func GenerateKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("generate gossip key: %w", err)
	}
	return k, nil
}

// EncodeKey returns the base64 text form of a key, as key files hold it.
func EncodeKey(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

// DecodeKey parses a base64 key and checks its length (16, 24 or 32 bytes).
func DecodeKey(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("gossip key is not base64: %w", err)
	}
	if err := memberlist.ValidateKey(k); err != nil {
		return nil, fmt.Errorf("gossip key: %w (allowed: 16, 24 or 32 bytes, base64)", err)
	}
	return k, nil
}

// LoadKeyFile reads a key file written by WriteKeyFile.
func LoadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	k, err := DecodeKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// WriteKeyFile writes k to path readable by its owner only.
func WriteKeyFile(path string, k []byte) error {
	if err := os.WriteFile(path, []byte(EncodeKey(k)+"\n"), 0o600); err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	return nil
}

// controlKey derives the HMAC key for control envelopes from the gossip
// key, so that one secret serves both, yet a leak of one use's material
// (say, a logged MAC) says nothing about the AES key.
func controlKey(gossip []byte) ([]byte, error) {
	k, err := hkdf.Key(sha256.New, gossip, nil, "faultline control v1", 32)
	if err != nil {
		return nil, fmt.Errorf("derive control key: %w", err)
	}
	return k, nil
}
