// Package briefingstest makes synthetic briefing corpora for benchmarks and
// load tests: deterministic, realistic files in the shapes the parser reads.
package briefingstest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// GeneratedFile is one synthetic briefing file made by Generate.
type GeneratedFile struct {
	// Name is a relative file name such as "g/00/topic-00042.md".
	Name string
	Data []byte
}

var (
	genPlaces = []string{"Andoria", "Belmar", "Corvia", "Dastan", "Elyria", "Farrow", "Galdor", "Hesper",
		"Istria", "Jorvik", "Kelmar", "Lunaris", "Marden", "Norvale", "Ostara", "Pellan", "Quarry", "Rosmar",
		"Sedona", "Tarsis", "Umbria", "Valdor", "Wexmoor", "Xandria", "Yarrow", "Zephyria"}
	genSubjects = []string{"grid reform", "port expansion", "wheat exports", "border talks", "central bank",
		"election law", "mining code", "fisheries deal", "rail corridor", "defence pact", "water treaty",
		"chip plant", "debt restructuring", "refugee policy", "telecom licences", "oil tender"}
	genNouns = []string{"ministry", "parliament", "regulator", "coalition", "investors", "neighbours",
		"unions", "exporters", "lenders", "courts", "provinces", "diplomats", "farmers", "shippers"}
	genVerbs = []string{"expects", "resists", "supports", "delays", "reviews", "announces", "questions",
		"finances", "negotiates", "restricts", "welcomes", "audits"}
	genObjects = []string{"a new tariff schedule", "the draft budget", "foreign ownership rules",
		"a regional energy market", "the revised treaty text", "emergency subsidies",
		"a long-term supply contract", "stricter export controls", "the privatisation plan",
		"a joint monitoring body", "higher reserve requirements", "the transit agreement"}
	genTails = []string{"before the end of the quarter", "despite objections from the opposition",
		"under pressure from creditors", "as prices keep rising", "while talks continue abroad",
		"after months of delay", "in a move analysts call overdue", "amid protests in the capital"}
	genLabels = []string{"Fiscal pressure", "Market reaction", "Political cost", "Security angle",
		"Legal challenge", "Supply chains", "Public opinion", "Regional spillover", "Investor mood"}
	genHeadings = [][]string{
		{"What's new", "Latest", "What happened"},
		{"Why it matters", "Strategic significance", "Impact"},
		{"Risks", "Risks & caveats", "Downside risks"},
		{"Looking ahead", "What to watch", "Outlook"},
	}
)

// Generate makes n deterministic, realistic briefings of about 3 KB, half
// plain text and half Markdown with front matter, for benchmarks and load
// tests. The same n and seed always give the same files; topics are
// distinct, with every tenth file a newer version of an earlier topic.
func Generate(n int, seed int64) []GeneratedFile {
	r := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	out := make([]GeneratedFile, 0, n)
	sentence := func() string {
		return fmt.Sprintf("The %s %s %s %s.", pick(r, genNouns), pick(r, genVerbs), pick(r, genObjects), pick(r, genTails))
	}
	para := func(k int) string {
		s := make([]string, k)
		for i := range s {
			s[i] = sentence()
		}
		return strings.Join(s, " ")
	}
	for i := 0; i < n; i++ {
		id := i
		if i%10 == 9 {
			id = i - 9 // a newer version of an earlier topic
		}
		topic := fmt.Sprintf("%s %s %d", genPlaces[id%len(genPlaces)], genSubjects[(id/len(genPlaces))%len(genSubjects)], id)
		date := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%700)
		var sb strings.Builder
		md := i%2 == 1
		if md {
			fmt.Fprintf(&sb, "---\ntitle: %s\naliases: [%q]\ntags: [%s, %s]\ndate: %s\n---\n\n# %s\n\n",
				topic, fmt.Sprintf("T%05d", id), pick(r, genSubjects), pick(r, genPlaces), date.Format("2006-01-02"), topic)
		} else {
			fmt.Fprintf(&sb, "%s\n", topic)
		}
		fmt.Fprintf(&sb, "%s\n\n%s\n\n", para(3), para(3))
		for _, hs := range genHeadings {
			h := hs[r.IntN(len(hs))]
			if md {
				fmt.Fprintf(&sb, "## %s\n\n", h)
			} else {
				fmt.Fprintf(&sb, "%s\n\n", h)
			}
			for k := 0; k < 3; k++ {
				fmt.Fprintf(&sb, "- %s: %s\n", pick(r, genLabels), para(1+r.IntN(2)))
			}
			sb.WriteString("\n")
		}
		ext := ".txt"
		if md {
			ext = ".md"
		}
		out = append(out, GeneratedFile{
			Name: filepath.Join("g", fmt.Sprintf("%02d", i%100), fmt.Sprintf("briefing-%06d%s", i, ext)),
			Data: []byte(sb.String()),
		})
	}
	return out
}

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

// WriteGenerated writes Generate(n, 1) under dir, creating folders.
func WriteGenerated(dir string, n int) error {
	for _, f := range Generate(n, 1) {
		p := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("write generated briefings: %w", err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return fmt.Errorf("write generated briefings: %w", err)
		}
	}
	return nil
}
