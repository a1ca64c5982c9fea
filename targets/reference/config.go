package reference

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// LoadConfig reads a topology config file (YAML): binary, dir, keep_dir,
// replace_delay, registry, start_timeout, and options (see Options).
// Missing options keep their defaults.
func LoadConfig(path string) (Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("target config: %w", err)
	}
	return ParseConfig(path, raw)
}

// ParseConfig decodes a config; name is used in error messages.
func ParseConfig(name string, raw []byte) (Config, error) {
	cfg := Config{Options: DefaultOptions()}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && err.Error() != "EOF" {
		return Config{}, fmt.Errorf("%s: %v (top-level keys: binary, dir, keep_dir, replace_delay, registry, start_timeout, options; option keys: %s)",
			name, err, strings.Join(OptionKeys(), ", "))
	}
	if cfg.ReplaceDelay < 0 || cfg.StartTimeout < 0 {
		return Config{}, fmt.Errorf("%s: replace_delay and start_timeout must be >= 0", name)
	}
	if err := cfg.Options.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", name, err)
	}
	return cfg, nil
}
