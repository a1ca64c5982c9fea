package scenarios

import (
	"fmt"
	"strconv"
	"strings"
)

// TemplateAction is one {{...}} of a path, body or header template.
type TemplateAction struct {
	// Func is seq, rand, uuid, capture or probe_id.
	Func string
	Args []string
	// Offset is the byte offset of "{{" in the template.
	Offset int
}

const allowedTemplate = `{{seq}}, {{uuid}}, {{rand A B}}, {{capture "endpoint" "name"}}, {{probe_id}}`

// ParseTemplate finds the actions of a template and checks their syntax:
// {{seq}}, {{uuid}}, {{rand A B}} with whole numbers A <= B,
// {{capture "endpoint" "name"}} and {{probe_id}}. Text outside {{ }} is
// sent as is.
func ParseTemplate(s string) ([]TemplateAction, error) {
	var out []TemplateAction
	for off := 0; ; {
		i := strings.Index(s[off:], "{{")
		j := strings.Index(s[off:], "}}")
		if i < 0 {
			if j >= 0 {
				return nil, fmt.Errorf("\"}}\" at byte %d has no opening \"{{\"", off+j)
			}
			return out, nil
		}
		start := off + i
		end := strings.Index(s[start:], "}}")
		if end < 0 {
			return nil, fmt.Errorf("\"{{\" at byte %d is not closed", start)
		}
		body := s[start+2 : start+end]
		a, err := parseAction(body)
		if err != nil {
			return nil, fmt.Errorf("{{%s}}: %w", body, err)
		}
		a.Offset = start
		out = append(out, a)
		off = start + end + 2
	}
}

func parseAction(body string) (TemplateAction, error) {
	fields := strings.Fields(body)
	if len(fields) == 0 {
		return TemplateAction{}, fmt.Errorf("empty action")
	}
	a := TemplateAction{Func: fields[0], Args: fields[1:]}
	switch a.Func {
	case "seq", "uuid", "probe_id":
		if len(a.Args) != 0 {
			return a, fmt.Errorf("%s takes no arguments", a.Func)
		}
	case "rand":
		if len(a.Args) != 2 {
			return a, fmt.Errorf("rand takes two whole numbers, low and high")
		}
		lo, err1 := strconv.ParseInt(a.Args[0], 10, 64)
		hi, err2 := strconv.ParseInt(a.Args[1], 10, 64)
		if err1 != nil || err2 != nil || lo > hi {
			return a, fmt.Errorf("rand needs whole numbers low <= high")
		}
	case "capture":
		if len(a.Args) != 2 {
			return a, fmt.Errorf(`capture takes "endpoint" "name"`)
		}
		for k, arg := range a.Args {
			u, err := strconv.Unquote(arg)
			if err != nil || !strings.HasPrefix(arg, `"`) || u == "" {
				return a, fmt.Errorf(`capture arguments must be double-quoted, e.g. capture "order" "id"`)
			}
			a.Args[k] = u
		}
	default:
		return a, fmt.Errorf("unknown template function %q%s", a.Func, didYouMean(a.Func, []string{"seq", "uuid", "rand", "capture", "probe_id"}))
	}
	return a, nil
}
