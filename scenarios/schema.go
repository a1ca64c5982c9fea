package scenarios

import _ "embed"

//go:embed schema.json
var schemaJSON []byte

// JSONSchema returns the JSON Schema (draft 2020-12) of the scenario
// language, for editors and `faultline validate --schema`. It describes
// the same keys the decoder accepts (a test holds the two together); the
// checks a schema cannot express are in Validate.
func JSONSchema() []byte {
	return append([]byte(nil), schemaJSON...)
}
