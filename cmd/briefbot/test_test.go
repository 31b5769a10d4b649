package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestQuestionFiles runs the project's own question files exactly as CI
// would run "briefbot test": over the bundled samples, over briefings of
// our own, and over the CRS corpus when ../shared is there.
func TestQuestionFiles(t *testing.T) {
	files := []struct {
		file, briefings string
	}{
		{"testdata/questions/samples.yaml", ""},
		{"testdata/questions/newsroom.yaml", ""},
		{"testdata/questions/shapes.yaml", ""},
		{"testdata/questions/crs.yaml", "../../../shared/corpora/crs"},
	}
	total := 0
	for _, f := range files {
		t.Run(filepath.Base(f.file), func(t *testing.T) {
			args := []string{"test", f.file}
			if f.briefings != "" {
				if _, err := os.Stat(f.briefings); err != nil {
					t.Skipf("no CRS corpus at %s: %v", f.briefings, err)
				}
				args = []string{"test", "--briefings", f.briefings, f.file}
			}
			r := runMain(t, args...)
			if r.code != exitOK {
				t.Errorf("briefbot %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
			}
			m := regexp.MustCompile(`(\d+) of (\d+) questions passed`).FindStringSubmatch(r.stdout)
			if m == nil {
				t.Fatalf("no score in:\n%s", r.stdout)
			}
			t.Logf("%s: %s of %s passed", f.file, m[1], m[2])
			n := 0
			for _, c := range m[2] {
				n = n*10 + int(c-'0')
			}
			total += n
		})
	}
	if total > 0 && total < 300 && !t.Failed() {
		// The CRS file may be skipped; the other two alone hold 300.
		t.Errorf("only %d questions: the project's files must hold at least 300", total)
	}
}

func TestTestCommandReportsMisses(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"briefings/testland.txt": goodBriefing,
		"questions.yaml": `briefings: briefings
questions:
  - ask: what could go wrong in testland?
    topic: Testland
    sections: [Risks & caveats]
  - ask: testland outlook
    topic: Testland
    sections: [Risks & caveats]
  - ask: iraq risks
    answer: none
  - ask: testland risks
    answer: none
`,
	})
	r := runMain(t, "test", filepath.Join(dir, "questions.yaml"))
	r.wantCode(t, exitFailure)
	contains(t, "table", r.stdout,
		"FAIL", "questions.yaml:6", "testland outlook", `sections ["Looking ahead"], want ["Risks & caveats"]`,
		"questions.yaml:11", "answered, but must not",
		"2 of 4 questions passed (50.0%)")
	lacks(t, "table", r.stdout, "what could go wrong in testland?", "iraq risks")

	r = runMain(t, "test", "-v", filepath.Join(dir, "questions.yaml"))
	contains(t, "verbose table", r.stdout, "ok", "what could go wrong in testland?", "iraq risks")
}

func TestTestCommandBriefingsFlagWins(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"other/testland.txt": goodBriefing,
		"q.yaml": `briefings: nowhere
questions:
  - ask: testland
    topic: Testland
    answer: overview
`,
	})
	r := runMain(t, "test", "--briefings", filepath.Join(dir, "other"), filepath.Join(dir, "q.yaml"))
	r.wantCode(t, exitOK)
	contains(t, "stdout", r.stdout, "1 of 1 questions passed (100.0%)")
}

func TestTestCommandRejectsBadFiles(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"unknown key":    {"questions:\n  - ask: x\n    topc: X\n", "field topc not found"},
		"no topic":       {"questions:\n  - ask: kazakhstan risks\n    sections: [Risks]\n", `q.yaml:2: "kazakhstan risks": say the topic it must reach`},
		"none and topic": {"questions:\n  - ask: x\n    topic: X\n    answer: none\n", `takes no topic`},
		"bad answer":     {"questions:\n  - ask: x\n    topic: X\n    answer: everything\n", `answer must be sections`},
		"bad date":       {"questions:\n  - ask: x\n    topic: X\n    answer: overview\n    date: 7/11/2025\n", `date must look like 2025-11-07`},
		"empty":          {"# nothing\n", "no questions"},
		"no ask":         {"questions:\n  - topic: X\n    answer: overview\n", `q.yaml:2: question without "ask"`},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"q.yaml": tc.yaml})
			r := runMain(t, "test", filepath.Join(dir, "q.yaml"))
			r.wantCode(t, exitUsage)
			contains(t, "stderr", r.stderr, tc.want)
		})
	}
}

// TestAskExitCodes: ask exits 0 only when it gave briefing content (or
// the list or help asked for), and 1 for "which one?", "did you mean" and
// questions about places without a briefing.
func TestAskExitCodes(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"iran.md":     "---\ntitle: Iran\ndate: 2026-01-12\n---\n# Iran\nTalks resumed.\n\n## Risks\n- Strikes: Talks may fail.\n",
		"chile.md":    "---\ntitle: Elections in Chile\ndate: 2026-01-12\n---\n# Elections in Chile\nA runoff.\n\n## Risks\n- Polarisation: Deep.\n",
		"peru.md":     "---\ntitle: Elections in Peru\ndate: 2026-01-12\n---\n# Elections in Peru\nThirty candidates.\n\n## Risks\n- Fragmentation: Wide.\n",
		"s-sudan.md":  "---\ntitle: South Sudan\ndate: 2026-01-12\n---\n# South Sudan\nElections slip.\n\n## Risks\n- War: Possible.\n",
		"testland.md": "---\ntitle: Testland\ndate: 2026-01-12\n---\n# Testland\nA vote.\n\n## Risks\n- Majority: Thin.\n",
	})
	for _, tc := range []struct {
		query string
		code  int
		want  string
	}{
		{"iran risks", exitOK, "Strikes"},
		{"what could go wrong in iran?", exitOK, "Strikes"},
		{"iraq risks", exitFailure, `No briefing for "iraq"`},
		{"elections risks", exitFailure, "Which one did you mean?"},
		{"sudan", exitFailure, "South Sudan"},
		{"testlnad", exitOK, `Showing Testland for "testlnad"`},
		{"chile risks", exitOK, `Showing Elections in Chile for "chile"`},
		{"list", exitOK, "Testland"},
	} {
		r := runMain(t, "ask", "--briefings", dir, tc.query)
		if r.code != tc.code {
			t.Errorf("ask %q: exit %d, want %d\n%s", tc.query, r.code, tc.code, r.stdout)
		}
		contains(t, "ask "+tc.query, r.stdout, tc.want)
	}
}

func FuzzQuestionFile(f *testing.F) {
	for _, s := range []string{
		"questions:\n  - ask: kazakhstan risks\n    topic: Kazakhstan\n    sections: [Risks & caveats]\n",
		"briefings: x\nquestions:\n  - ask: iraq\n    answer: none\n",
		"questions: []\n", "questions:\n  - {}\n", "- a\n- b\n", "questions:\n  - ask: x\n    date: 2025-13-40\n    topic: y\n",
		"questions: !!map {}\n", "\t", "questions:\n  - ask: [1, 2]\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		qf, err := parseQuestionFile("q.yaml", []byte(data))
		if err != nil {
			if !strings.Contains(err.Error(), "q.yaml") {
				t.Errorf("error without the file's name: %v", err)
			}
			return
		}
		for _, q := range qf.Questions {
			if strings.TrimSpace(q.Ask) == "" || (q.Answer != answerNone && q.Topic == "") {
				t.Errorf("accepted an incomplete question: %+v", q)
			}
		}
	})
}
