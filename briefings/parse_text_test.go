package briefings

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseSeedExactly(t *testing.T) {
	data, err := os.ReadFile("samples/kazakhstan.txt")
	if err != nil {
		t.Fatal(err)
	}
	mod := time.Date(2025, 11, 7, 9, 0, 0, 0, time.UTC)
	got, probs := Parse("samples/kazakhstan.txt", data, mod)
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	want := &Briefing{
		Topic: "Kazakhstan",
		Title: "Kazakhstan",
		Date:  mod,
		Lede: []Block{
			{Text: "In a landmark diplomatic shift, Kazakhstan has announced its intention to join the Abraham Accords — the U.S.-brokered framework of normalisation between Israel and several Arab and Muslim-majority states.", Line: 2},
			{Text: "Launched in 2020 under Donald Trump, the Abraham Accords initially included the UAE and Bahrain, later joined by Morocco and Sudan. Kazakhstan, though having had diplomatic ties with Israel since 1992, had not formally been part of the accords until now.", Line: 3},
		},
		Sections: []Section{
			{Heading: "What’s new", Kind: KindNew, Line: 4, Blocks: []Block{
				{Text: "The move by Kazakhstan is largely symbolic — the country already has full diplomatic relations with Israel. However, its formal accession marks the first Central Asian country to join the accords, extending the reach beyond the Middle East/North Africa region.", Line: 5},
				{Text: "The U.S. has characterised the step as a major building-block in global peace efforts, and has highlighted cooperation in defence, cybersecurity, energy and food technology between Israel and Kazakhstan.", Line: 6},
			}},
			{Heading: "Strategic significance", Kind: KindSignificance, Line: 7, Blocks: []Block{
				{Bullet: true, Label: "Regional diplomacy shift", Text: "Central Asia has traditionally been a Russian and Chinese sphere of influence; Kazakhstan’s move signals a diversification of its foreign policy and alignment possibilities.", Line: 8},
				{Bullet: true, Label: "Boost for Israel", Text: "Amid international criticism over its Gaza campaign, Israel gains a further diplomatic boost and reduces its perceived isolation. Kazakhstan’s participation strengthens the legitimacy of the accords.", Line: 9},
				{Bullet: true, Label: "Economic & tech cooperation", Text: "The framework includes potential new trade, infrastructure investment, critical-minerals cooperation and supply-chain diversification — areas of strategic interest for Kazakhstan and Israel.", Line: 10},
			}},
			{Heading: "Risks & caveats", Kind: KindRisks, Line: 11, Blocks: []Block{
				{Bullet: true, Label: "Domestic and regional backlash", Text: "Some Muslim-majority countries, and Iran-aligned groups, may view normalisation with Israel skeptically or hostilely.", Line: 12},
				{Bullet: true, Label: "Symbolic vs substantive", Text: "Since Kazakhstan already had ties with Israel, critics view the step as largely gestural; the depth of cooperation moving forward will be telling.", Line: 13},
				{Bullet: true, Label: "Strategic balancing", Text: "Kazakhstan will need to manage relations with Russia and China carefully as it expands ties westwards.", Line: 14},
			}},
			{Heading: "Looking ahead", Kind: KindOutlook, Line: 15, Blocks: []Block{
				{Bullet: true, Text: "Formal signing ceremony and detailed MoU to be expected soon.", Line: 16},
				{Bullet: true, Text: "Implementation of joint projects—defence, tech, energy—will test the durability of the accord.", Line: 17},
				{Bullet: true, Text: "Whether other Central Asian or Muslim-majority states follow Kazakhstan’s lead, potentially accelerating a wider normalisation wave.", Line: 18},
			}},
		},
		Path: "samples/kazakhstan.txt",
		Line: 1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse(seed) mismatch (-want +got):\n%s", diff)
	}
}

func TestParseText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Briefing
	}{{
		name: "wrapped paragraphs separated by blank lines",
		in:   "Red Sea:\n\nShips avoid the strait\nafter a string of attacks.\n\nInsurers raised\npremiums again.\n\nRisks\n\n- Escalation: a wider war\n  would close the strait.\n",
		want: &Briefing{Topic: "Red Sea", Title: "Red Sea", Line: 1,
			Lede: []Block{
				{Text: "Ships avoid the strait after a string of attacks.", Line: 3},
				{Text: "Insurers raised premiums again.", Line: 6},
			},
			Sections: []Section{{Heading: "Risks", Kind: KindRisks, Line: 9, Blocks: []Block{
				{Bullet: true, Label: "Escalation", Text: "a wider war would close the strait.", Line: 11},
			}}},
		},
	}, {
		name: "long label is not a label and star bullets",
		in:   "Topic\nIntro.\nOutlook\n* This is a very long clause before the colon that is not a label: text.\n• Short: fine.\n",
		want: &Briefing{Topic: "Topic", Title: "Topic", Line: 1,
			Lede: []Block{{Text: "Intro.", Line: 2}},
			Sections: []Section{{Heading: "Outlook", Kind: KindOutlook, Line: 3, Blocks: []Block{
				{Bullet: true, Text: "This is a very long clause before the colon that is not a label: text.", Line: 4},
				{Bullet: true, Label: "Short", Text: "fine.", Line: 5},
			}}},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, probs := Parse("x.txt", []byte(tt.in), DefaultDate)
			for _, p := range probs {
				if !p.Warning {
					t.Fatalf("problem: %v", p)
				}
			}
			tt.want.Path = "x.txt"
			tt.want.Date = DefaultDate
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKindOfNewNeedsTheWholeWord(t *testing.T) {
	for q, want := range map[string]Kind{
		"new":                     KindNew,
		"New":                     KindNew,
		"What's new":              KindNew,
		"What’s New":              KindNew,
		"what is new":             KindNew,
		"New York":                KindOther,
		"New sanctions":           KindOther,
		"Risks of new sanctions":  KindRisks,
		"Why the new law matters": KindSignificance,
		"Latest":                  KindNew,
	} {
		if got := KindOf(q); got != want {
			t.Errorf("KindOf(%q) = %q, want %q", q, got, want)
		}
		if got := kindOfHeading(q); got != want {
			t.Errorf("kindOfHeading(%q) = %q, want %q", q, got, want)
		}
	}
	b, _ := Parse("ny.txt", []byte("New York\n\nA lede.\n\nNew York\nThe city.\n\nWhat's new\nA budget.\n"), DefaultDate)
	if b == nil || len(b.Sections) != 2 {
		t.Fatalf("Parse = %+v", b)
	}
	if b.Sections[0].Kind != KindOther || b.Sections[1].Kind != KindNew {
		t.Errorf("kinds = %q, %q; want other, new", b.Sections[0].Kind, b.Sections[1].Kind)
	}
}

func TestLineHelpersAgreeWithStrings(t *testing.T) {
	for _, s := range []string{"", " ", "a", " a  b\tc\n", "Considerations for Congress", "Issues of potential disagreement include",
		"x\u00a0y", "  lead and trail  ", "Does the GAOA Expire?", "One Two three Four Five Six"} {
		if got, want := countFields(s), len(strings.Fields(s)); got != want {
			t.Errorf("countFields(%q) = %d, want %d", s, got, want)
		}
		if got, want := collapseSpace(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("collapseSpace(%q) = %q, want %q", s, got, want)
		}
	}
	for s, want := range map[string]bool{
		"Considerations for Congress": true, "Issues of potential disagreement and more include": false,
		"Does the GAOA Expire?": false, "Strategic Outlook For The Region And Its Neighbours": true,
		"Table 2. Budget": false, "(12)": false, "Figure B-1. Map": false, "Exhibit 4.": false, "Tablet 2": true, "(12) Budget Lines": false, "(A3)": false,
	} {
		if got := isHeadingLine(s); got != want {
			t.Errorf("isHeadingLine(%q) = %v, want %v", s, got, want)
		}
	}
	if !headingLine("Does the GAOA Expire?", true) {
		t.Error(`headingLine("Does the GAOA Expire?", true) = false`)
	}
}
