package bot_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

// discordRoom is what a Discord custom_id (100 characters) leaves for the
// key after the adapter's 3-character prefix.
const discordRoom = 97

// voteReplies are the answers a reader can vote on about br: its
// overview, the whole briefing, each section, and several sections at once.
func voteReplies(br *briefings.Briefing) []bot.Reply {
	rs := []bot.Reply{
		{Kind: bot.KindOverview, Topic: br.Key()},
		{Kind: bot.KindFull, Topic: br.Key()},
	}
	var many []bot.Section
	for _, s := range br.Sections {
		rs = append(rs, bot.Reply{Kind: bot.KindSection, Topic: br.Key(), Sections: []bot.Section{{Heading: s.Heading}}})
		if len(many) < 8 {
			many = append(many, bot.Section{Heading: s.Heading})
		}
	}
	if len(many) > 1 {
		rs = append(rs, bot.Reply{Kind: bot.KindSection, Topic: br.Key(), Sections: append([]bot.Section{{Heading: "Introduction"}}, many...)})
	}
	return rs
}

// checkRoundTrip checks that every votable answer about every briefing in
// b's library gets a key within room that resolves to what it rates.
func checkRoundTrip(t *testing.T, b *bot.Bot, room int) (hashed int) {
	t.Helper()
	for _, br := range b.Library().Topics() {
		for _, r := range voteReplies(br) {
			topic, section, _ := bot.VoteTarget(r)
			key, ok := bot.VoteKey(r, room)
			if !ok {
				t.Errorf("%s %q: no key within %d characters", topic, section, room)
				continue
			}
			if n := utf8.RuneCountInString(key); n > room {
				t.Errorf("%s %q: key of %d characters, over %d", topic, section, n, room)
			}
			if strings.HasPrefix(key, "#") {
				hashed++
			}
			gt, gs, ok := b.ResolveVoteKey(key)
			if !ok || gt != topic || gs != section {
				t.Errorf("key %q resolves to %q %q (%v), want %q %q", key, gt, gs, ok, topic, section)
			}
		}
	}
	return hashed
}

func TestVoteKeyLongTitles(t *testing.T) {
	long := "Electing the Speaker of the House of Representatives: Frequently Asked Questions About Procedure"
	lib := briefings.NewLibrary([]*briefings.Briefing{
		{Topic: long, Title: long, Path: "speaker.md", Line: 1, Sections: []briefings.Section{
			{Heading: "What Happens When No Candidate Receives a Majority of the Votes Cast by Name?", Line: 3},
			{Heading: "Risks", Line: 5},
		}},
		{Topic: "Mars", Title: "Mars", Path: "mars.txt", Line: 1, Sections: []briefings.Section{{Heading: "Risks", Line: 3}}},
	})
	b := bot.New(bot.Options{})
	b.SetLibrary(lib)
	if hashed := checkRoundTrip(t, b, discordRoom); hashed == 0 {
		t.Error("no key needed hashing: the test does not reach the hashed form")
	}

	// Short targets are carried as they are.
	if key, _ := bot.VoteKey(bot.Reply{Kind: bot.KindSection, Topic: "mars", Sections: []bot.Section{{Heading: "Risks"}}}, discordRoom); key != "=mars|Risks" {
		t.Errorf("short key %q", key)
	}
	// What cannot be voted on has no key; a briefing that lost the
	// section voted on resolves to nothing rather than to another one.
	if _, ok := bot.VoteKey(bot.Reply{Kind: bot.KindList, Title: "Topics"}, discordRoom); ok {
		t.Error("a list got a vote key")
	}
	gone, _ := bot.VoteKey(bot.Reply{Kind: bot.KindSection, Topic: briefings.Normalize(long), Sections: []bot.Section{{Heading: "A heading the briefing no longer has, long enough to need a hash"}}}, discordRoom)
	for _, key := range []string{gone, "", "#", "#sAAAAAAAA", "=|x", "#x" + strings.Repeat("A", 14)} {
		if topic, section, ok := b.ResolveVoteKey(key); ok {
			t.Errorf("key %q resolved to %q %q", key, topic, section)
		}
	}
}

// TestVoteKeyCRS checks every answer about the real-world corpus, whose
// titles and headings are long.
func TestVoteKeyCRS(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "corpora", "crs")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("CRS corpus not available: %v", err)
	}
	lib, _, err := briefings.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	b := bot.New(bot.Options{})
	b.SetLibrary(lib)
	hashed := checkRoundTrip(t, b, discordRoom)
	t.Logf("%d briefings; %d keys needed hashing", lib.Len(), hashed)

	// The core's own answers, as asked in chat, round-trip too.
	for _, br := range lib.Topics()[:10] {
		for _, q := range []string{br.Key(), br.Key() + " all"} {
			r := b.Handle(context.Background(), bot.Request{Platform: "discord", Text: q})
			topic, section, ok := bot.VoteTarget(r)
			if !ok {
				continue
			}
			key, ok := bot.VoteKey(r, discordRoom)
			gt, gs, rok := b.ResolveVoteKey(key)
			if !ok || !rok || gt != topic || gs != section {
				t.Errorf("%q: key %q resolves to %q %q, want %q %q", q, key, gt, gs, topic, section)
			}
		}
	}
}

// FuzzResolveVoteKey reads keys as a pressed button brings them: any text
// resolves to nothing or to a topic the library has.
func FuzzResolveVoteKey(f *testing.F) {
	b := bot.New(bot.Options{})
	for _, r := range voteReplies(b.Library().Topics()[0]) {
		key, _ := bot.VoteKey(r, 20)
		f.Add(key)
	}
	f.Add("=kazakhstan|Risks")
	f.Add("#s" + strings.Repeat("A", 20))
	f.Fuzz(func(t *testing.T, key string) {
		topic, _, ok := b.ResolveVoteKey(key)
		if ok && topic == "" {
			t.Errorf("key %q resolved to no topic", key)
		}
	})
}
