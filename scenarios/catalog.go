package scenarios

import (
	"embed"
	"errors"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// catalogFS holds the built-in scenarios and the claims library.
//
//go:embed catalog/*.yaml
var catalogFS embed.FS

// claimsFile is the claims library in the catalogue, not a scenario.
const claimsFile = "claims.yaml"

// CatalogEntry is one built-in scenario.
type CatalogEntry struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// File is the embedded path, e.g. catalog/smoke.yaml.
	File string `json:"file"`
}

// Catalog lists the built-in scenarios by name, with the first line of
// each one's description.
func Catalog() []CatalogEntry {
	entries, _ := fs.ReadDir(catalogFS, "catalog")
	var out []CatalogEntry
	for _, e := range entries {
		if e.Name() == claimsFile || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		file := path.Join("catalog", e.Name())
		data, _ := catalogFS.ReadFile(file)
		var head struct {
			Description string `yaml:"description"`
		}
		_ = yaml.Unmarshal(data, &head)
		desc, _, _ := strings.Cut(strings.TrimSpace(head.Description), "\n")
		out = append(out, CatalogEntry{Name: strings.TrimSuffix(e.Name(), ".yaml"), Description: desc, File: file})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// CatalogSource returns the YAML of a built-in scenario.
func CatalogSource(name string) ([]byte, bool) {
	if !IsName(name) || name+".yaml" == claimsFile {
		return nil, false
	}
	data, err := catalogFS.ReadFile("catalog/" + name + ".yaml")
	return data, err == nil
}

// Resolve loads a scenario from a file path or, when no such file exists,
// from the built-in catalogue by name (faultline plan smoke).
func Resolve(nameOrPath string) (*Scenario, error) {
	if _, err := os.Stat(nameOrPath); err == nil {
		return LoadFile(nameOrPath)
	} else if !errors.Is(err, os.ErrNotExist) {
		return LoadFile(nameOrPath)
	}
	if data, ok := CatalogSource(nameOrPath); ok {
		return Decode("catalog/"+nameOrPath+".yaml", data)
	}
	var names []string
	for _, e := range Catalog() {
		names = append(names, e.Name)
	}
	return nil, ErrorList{{Pos: Pos{File: nameOrPath}, Msg: "no such scenario file or catalogue name" + didYouMean(nameOrPath, names), Allowed: "a path to a YAML file, or one of: " + strings.Join(names, ", ")}}
}

var claimsOnce struct {
	sync.Once
	byID map[string]Claim
	ids  []string
	err  error
}

// loadClaims decodes catalog/claims.yaml once. Its rules are parsed here;
// their names are checked in each scenario that uses a claim.
func loadClaims() {
	c := &claimsOnce
	c.byID = map[string]Claim{}
	data, err := catalogFS.ReadFile("catalog/" + claimsFile)
	if err != nil {
		c.err = err
		return
	}
	root, perr := parseYAML("catalog/"+claimsFile, data)
	if perr != nil {
		c.err = perr
		return
	}
	d := &decoder{file: "catalog/" + claimsFile}
	d.object(root, "the claims library", []string{"claims"}, []string{"claims"}, func(_ string, v *yaml.Node) {
		d.list(v, "claims", func(_ int, item *yaml.Node) {
			if item.Kind != yaml.MappingNode {
				d.fail(item, "claim objects", "the claims library holds claim objects, not ids")
				return
			}
			cl, _ := d.claim(item, "claim")
			c.byID[cl.ID] = cl
			c.ids = append(c.ids, cl.ID)
		})
	})
	c.err = d.err()
	sort.Strings(c.ids)
}

// CatalogClaims returns the claims library, or the error that keeps it
// from loading (a test holds it at nil).
func CatalogClaims() ([]Claim, error) {
	claimsOnce.Do(loadClaims)
	var out []Claim
	for _, id := range claimsOnce.ids {
		out = append(out, claimsOnce.byID[id])
	}
	return out, claimsOnce.err
}

func catalogClaim(id string) (Claim, bool) {
	claimsOnce.Do(loadClaims)
	c, ok := claimsOnce.byID[id]
	return c, ok
}

func catalogClaimIDs() []string {
	claimsOnce.Do(loadClaims)
	return claimsOnce.ids
}
