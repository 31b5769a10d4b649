package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// QuestionFile is a newsroom's list of questions with the answers they
// must reach, kept beside the briefings and run by "briefbot test" in CI
// whenever a briefing or the bot changes:
//
//	briefings: ./briefings          # optional, relative to this file
//	questions:
//	  - ask: what could go wrong in kazakhstan?
//	    topic: Kazakhstan
//	    sections: [Risks & caveats]
//	  - ask: kazakhstan
//	    topic: Kazakhstan
//	    answer: overview
//	  - ask: iraq risks
//	    answer: none
type QuestionFile struct {
	// Briefings is the folder the questions are about, relative to the
	// file; empty means the configured folder, else the bundled samples.
	Briefings string     `yaml:"briefings"`
	Questions []Question `yaml:"questions"`
}

// Question is one question and what it must get.
type Question struct {
	// Ask is the question as people type it.
	Ask string `yaml:"ask"`
	// Topic is the topic the answer must be about (its name or an alias).
	Topic string `yaml:"topic"`
	// Answer is what kind of answer: "sections" (the default when
	// Sections is given), "overview", "full", "versions", or "none" for a
	// question that must get no briefing content (exit 1 in ask).
	Answer string `yaml:"answer"`
	// Sections are the headings the answer must show, in order.
	Sections []string `yaml:"sections"`
	// Date is the date of the version that must answer (2025-11-07).
	Date string `yaml:"date"`
	// Note is text that one of the answer's notes must hold ("Showing
	// Sahel security").
	Note string `yaml:"note"`
	// Contains is text the answer must hold, such as a bullet's label.
	Contains string `yaml:"contains"`
	// Suggests is a topic a "none" answer must offer ("did you mean").
	Suggests string `yaml:"suggests"`

	line int
}

// Answer kinds of a Question.
const (
	answerSections = "sections"
	answerOverview = "overview"
	answerFull     = "full"
	answerVersions = "versions"
	answerNone     = "none"
)

// ReadQuestionFile parses a question file; errors name the file and line.
func ReadQuestionFile(path string) (QuestionFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return QuestionFile{}, fmt.Errorf("read questions: %w", err)
	}
	return parseQuestionFile(path, data)
}

func parseQuestionFile(path string, data []byte) (QuestionFile, error) {
	var qf QuestionFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&qf); err != nil && !errors.Is(err, io.EOF) {
		return qf, fmt.Errorf("%s: %w", path, err)
	}
	// Line numbers for messages come from the node tree.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err == nil && len(root.Content) > 0 {
		doc := root.Content[0]
		for i := 0; i+1 < len(doc.Content); i += 2 {
			if doc.Content[i].Value == "questions" {
				for j, n := range doc.Content[i+1].Content {
					if j < len(qf.Questions) {
						qf.Questions[j].line = n.Line
					}
				}
			}
		}
	}
	if len(qf.Questions) == 0 {
		return qf, fmt.Errorf("%s: no questions (write a list under \"questions:\")", path)
	}
	var errs []error
	for i := range qf.Questions {
		q := &qf.Questions[i]
		if q.Answer == "" && (len(q.Sections) > 0 || q.Topic != "") {
			q.Answer = answerSections
			if len(q.Sections) == 0 {
				q.Answer = ""
			}
		}
		where := fmt.Sprintf("%s:%d", path, q.line)
		switch {
		case strings.TrimSpace(q.Ask) == "":
			errs = append(errs, fmt.Errorf("%s: question without \"ask\"", where))
		case q.Answer == answerNone && (q.Topic != "" || len(q.Sections) > 0):
			errs = append(errs, fmt.Errorf("%s: %q: \"answer: none\" takes no topic or sections", where, q.Ask))
		case q.Answer != answerNone && q.Topic == "":
			errs = append(errs, fmt.Errorf("%s: %q: say the topic it must reach, or \"answer: none\"", where, q.Ask))
		case q.Answer == "" && q.Note == "" && q.Contains == "" && q.Date == "":
			errs = append(errs, fmt.Errorf("%s: %q: say what it must show: sections, or answer: overview, full or versions", where, q.Ask))
		case q.Answer != "" && q.Answer != answerSections && q.Answer != answerOverview && q.Answer != answerFull && q.Answer != answerVersions && q.Answer != answerNone:
			errs = append(errs, fmt.Errorf("%s: %q: answer must be sections, overview, full, versions or none, got %q", where, q.Ask, q.Answer))
		}
		if q.Date != "" {
			if _, err := time.Parse(time.DateOnly, q.Date); err != nil {
				errs = append(errs, fmt.Errorf("%s: %q: date must look like 2025-11-07, got %q", where, q.Ask, q.Date))
			}
		}
	}
	return qf, errors.Join(errs...)
}

// Outcome is how one question fared.
type Outcome struct {
	Question Question
	// Got sums up the reply ("Kazakhstan: Risks & caveats", "no answer").
	Got string
	// Misses say what was wrong; empty when the question passed.
	Misses []string
}

// CheckQuestion asks b the question and compares the reply with what the
// question expects.
func CheckQuestion(b *bot.Bot, q Question, ask func(string) bot.Reply) Outcome {
	r := ask(q.Ask)
	o := Outcome{Question: q, Got: describeReply(b, r)}
	miss := func(format string, args ...any) { o.Misses = append(o.Misses, fmt.Sprintf(format, args...)) }
	answered := Answered(r)
	if q.Answer == answerNone {
		if answered {
			miss("answered, but must not")
		}
		if q.Suggests != "" && !hasSuggestion(r, q.Suggests) {
			miss("does not offer %s", q.Suggests)
		}
	} else {
		if !answered {
			miss("no answer")
		} else if want := topicKey(b, q.Topic); r.Topic != want {
			miss("topic %q, want %q", r.Topic, want)
		}
		switch q.Answer {
		case answerOverview:
			if r.Kind != bot.KindOverview {
				miss("%s, want the overview", r.Kind)
			}
		case answerFull:
			if r.Kind != bot.KindFull {
				miss("%s, want the whole briefing", r.Kind)
			}
		case answerVersions:
			if r.Kind != bot.KindList {
				miss("%s, want the versions", r.Kind)
			}
		case answerSections:
			var got []string
			for _, s := range r.Sections {
				got = append(got, s.Heading)
			}
			if r.Kind != bot.KindSection || strings.Join(got, "\x00") != strings.Join(q.Sections, "\x00") {
				miss("sections %q, want %q", got, q.Sections)
			}
		}
	}
	if q.Date != "" && r.Footer.Date.Format(time.DateOnly) != q.Date {
		miss("version of %s, want %s", r.Footer.Date.Format(time.DateOnly), q.Date)
	}
	if q.Note != "" && !containsFold(r.Notes, q.Note) {
		miss("no note %q (notes: %q)", q.Note, r.Notes)
	}
	if q.Contains != "" {
		var text strings.Builder
		_ = writeText(&text, r)
		if !strings.Contains(strings.ToLower(text.String()), strings.ToLower(q.Contains)) {
			miss("answer lacks %q", q.Contains)
		}
	}
	return o
}

// Answered reports whether a reply gave a briefing's content (or a list
// or help the question asked for): what "briefbot ask" exits 0 for.
func Answered(r bot.Reply) bool { return r.Kind != bot.KindNotFound && r.Kind != bot.KindError }

func hasSuggestion(r bot.Reply, topic string) bool {
	for _, s := range r.Suggestions {
		if strings.EqualFold(s.Label, topic) || briefings.Normalize(s.Query) == briefings.Normalize(topic) {
			return true
		}
	}
	return false
}

func containsFold(notes []string, want string) bool {
	for _, n := range notes {
		if strings.Contains(strings.ToLower(n), strings.ToLower(want)) {
			return true
		}
	}
	return false
}

// topicKey is the topic key a question's expected topic names: itself
// when it is a topic, else the topic whose alias it is.
func topicKey(b *bot.Bot, topic string) string {
	k := briefings.Normalize(topic)
	if vs := b.Library().Versions(k); len(vs) > 0 {
		return vs[0].Key()
	}
	return k
}

func describeReply(b *bot.Bot, r bot.Reply) string {
	if !Answered(r) {
		if strings.HasPrefix(r.Title, "Several") {
			return "which one?"
		}
		if len(r.Suggestions) > 0 && strings.Contains(strings.Join(r.Notes, " "), "Did you mean") {
			return "did you mean " + r.Suggestions[0].Label + "?"
		}
		return "no answer"
	}
	switch r.Kind {
	case bot.KindSection:
		var hs []string
		for _, s := range r.Sections {
			hs = append(hs, s.Heading)
		}
		return r.Topic + ": " + strings.Join(hs, ", ")
	case bot.KindOverview, bot.KindFull:
		return r.Topic + ": " + string(r.Kind)
	case bot.KindList:
		if r.Topic != "" {
			return r.Topic + ": versions"
		}
	}
	return string(r.Kind)
}

func expected(q Question) string {
	switch q.Answer {
	case answerNone:
		return "no answer"
	case answerSections:
		return briefings.Normalize(q.Topic) + ": " + strings.Join(q.Sections, ", ")
	case "":
		return briefings.Normalize(q.Topic)
	}
	return briefings.Normalize(q.Topic) + ": " + q.Answer
}

func (m *Main) testCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "test [--briefings DIR] FILE...",
		Short: "Check that questions get the answers they must",
		Long: `Ask every question of a question file (YAML) and compare the answers with
what the file says each must reach: a topic and its sections, the overview,
or no answer at all. Prints a pass/fail table and the score.

	briefings: ./briefings      # optional, relative to the file
	questions:
	  - ask: what could go wrong in kazakhstan?
	    topic: Kazakhstan
	    sections: [Risks & caveats]
	  - ask: iraq risks
	    answer: none

Other keys: answer (overview, full, versions, none), date (the version
that must answer), note (text a note must hold), contains (text the answer
must hold), suggests (a topic a "none" answer must offer).

The briefings come from --briefings, else the file's "briefings", else
briefings.dir, else the bundled samples.

Exit status: 0 every question passed, 1 some failed, 2 usage error or a bad
question file.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := m.loadConfig(cmd)
			if err != nil {
				return err
			}
			flagDir, _ := cmd.Flags().GetString("briefings")
			verbose, _ := cmd.Flags().GetBool("verbose")
			failed := 0
			for _, path := range args {
				qf, err := ReadQuestionFile(path)
				if err != nil {
					return usageErr(err)
				}
				dir := cfg.Briefings.Dir
				switch {
				case flagDir != "":
					dir = flagDir
				case qf.Briefings != "":
					dir = filepath.Join(filepath.Dir(path), qf.Briefings)
				}
				lib, err := m.library(dir)
				if err != nil {
					return err
				}
				n, err := m.runQuestions(cmd, path, qf, lib, verbose)
				if err != nil {
					return err
				}
				failed += n
			}
			if failed > 0 {
				return &exitError{code: exitFailure}
			}
			return nil
		},
	}
	cmd.Flags().String("briefings", "", "briefings `folder` (default: the file's briefings, else briefings.dir, else the bundled samples)")
	cmd.Flags().BoolP("verbose", "v", false, "list the questions that passed too")
	return cmd
}

// runQuestions asks the questions of one file and prints the table; it
// returns how many failed.
func (m *Main) runQuestions(cmd *cobra.Command, path string, qf QuestionFile, lib *briefings.Library, verbose bool) (int, error) {
	b := bot.New(bot.Options{Library: lib, Command: cliCommand})
	ask := func(text string) bot.Reply {
		return b.Handle(cmd.Context(), bot.Request{Platform: cliPlatform, Text: text})
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "RESULT\tLINE\tQUESTION\tEXPECTED\tGOT\n")
	failed := 0
	for _, q := range qf.Questions {
		o := CheckQuestion(b, q, ask)
		if len(o.Misses) == 0 && !verbose {
			continue
		}
		result := "ok"
		got := o.Got
		if len(o.Misses) > 0 {
			result = "FAIL"
			failed++
			got += " (" + strings.Join(o.Misses, "; ") + ")"
		}
		fmt.Fprintf(tw, "%s\t%s:%d\t%s\t%s\t%s\n", result, filepath.Base(path), q.line, q.Ask, expected(q), got)
	}
	if err := tw.Flush(); err != nil {
		return failed, &exitError{code: exitFailure, err: fmt.Errorf("write results: %w", err)}
	}
	n := len(qf.Questions)
	fmt.Fprintf(m.Stdout, "%s: %d of %d questions passed (%.1f%%)\n", path, n-failed, n, 100*float64(n-failed)/float64(n))
	return failed, nil
}
