package briefings

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// AliasesFile is the optional file at the root of a briefings folder that
// gives topics more names. Plain-text briefings have no front matter to
// declare aliases in, so the file maps a topic to its aliases:
//
//	kazakhstan: [Казахстан, Qazaqstan]
const AliasesFile = "aliases.yaml"

// applyAliases adds the aliases that data (the aliases file at path)
// declares to every briefing of the topics it names. keys[i] is bs[i]'s
// topic key. A malformed file is an error; a topic no briefing has is a
// warning.
func applyAliases(path string, data []byte, bs []*Briefing, keys []string) []Problem {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return []Problem{{Path: path, Line: yamlErrorLine(err), Message: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if len(root.Content) == 0 {
		return nil
	}
	m := root.Content[0]
	if m.Kind != yaml.MappingNode {
		return []Problem{{Path: path, Line: m.Line, Message: "want a mapping of topic to its aliases"}}
	}
	byKey := make(map[string][]int)
	for i, k := range keys {
		byKey[k] = append(byKey[k], i)
	}
	var problems []Problem
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		var aliases []string
		switch v.Kind {
		case yaml.ScalarNode:
			aliases = []string{v.Value}
		case yaml.SequenceNode:
			for _, a := range v.Content {
				if a.Kind != yaml.ScalarNode {
					problems = append(problems, Problem{Path: path, Line: a.Line, Message: fmt.Sprintf("alias of %q is not text", k.Value)})
					continue
				}
				aliases = append(aliases, a.Value)
			}
		default:
			problems = append(problems, Problem{Path: path, Line: v.Line, Message: fmt.Sprintf("aliases of %q: want a list of names", k.Value)})
			continue
		}
		idx, ok := byKey[Normalize(k.Value)]
		if !ok {
			problems = append(problems, Problem{Path: path, Line: k.Line, Message: fmt.Sprintf("no briefing has the topic %q", k.Value), Warning: true})
			continue
		}
		for _, j := range idx {
			// A new slice: the parsed aliases may share their array.
			bs[j].Aliases = dedupeAliases(bs[j].Topic, slices.Concat(bs[j].Aliases, aliases))
		}
	}
	return problems
}

// yamlErrorLine finds "line N" in a YAML error, else 1.
func yamlErrorLine(err error) int {
	var n int
	if i := strings.Index(err.Error(), "line "); i >= 0 {
		fmt.Sscanf(err.Error()[i:], "line %d", &n)
	}
	return max(n, 1)
}
