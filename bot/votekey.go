package bot

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// A vote button has to say what it rates, and some platforms give it
// little room: Discord's custom_id holds 100 characters, less than a long
// topic and heading take. VoteKey writes the target itself when it fits
// and short hashes of the topic and headings otherwise; ResolveVoteKey
// finds the hashed ones again in the library, so a press can be counted by
// any replica, after a restart, with nothing remembered per message.

const (
	voteKeyLiteral = "=" // "=topic|section"
	voteKeyHashed  = "#" // "#" kind topic-hash section-hash...
	topicHashLen   = 8   // base64 characters: 48 bits
	headingHashLen = 6   // 36 bits, unique enough among one briefing's headings
)

// VoteKey encodes what a vote on reply rates (VoteTarget) in at most max
// characters. ok is false when reply cannot be voted on or even its hashes
// do not fit.
func VoteKey(reply Reply, max int) (key string, ok bool) {
	topic, section, ok := VoteTarget(reply)
	if !ok {
		return "", false
	}
	// Topic keys are normalised words, so they never hold the separator.
	lit := voteKeyLiteral + topic + "|" + section
	if utf8.RuneCountInString(lit) <= max {
		return lit, true
	}
	var b strings.Builder
	b.WriteString(voteKeyHashed)
	switch reply.Kind {
	case KindOverview:
		b.WriteByte('o')
	case KindFull:
		b.WriteByte('f')
	default:
		b.WriteByte('s')
	}
	b.WriteString(voteHash(topic, topicHashLen))
	if reply.Kind == KindSection {
		for _, s := range reply.Sections {
			b.WriteString(voteHash(s.Heading, headingHashLen))
		}
	}
	if b.Len() > max {
		return "", false
	}
	return b.String(), true
}

// voteHash is the first n base64 characters of s's SHA-256.
func voteHash(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:n]
}

// ResolveVoteKey returns the topic and section a VoteKey names, looking
// hashed keys up in the current library. ok is false for a malformed key
// or one whose topic or headings the library no longer has.
func (b *Bot) ResolveVoteKey(key string) (topic, section string, ok bool) {
	if rest, lit := strings.CutPrefix(key, voteKeyLiteral); lit {
		topic, section, ok = strings.Cut(rest, "|")
		return topic, section, ok && topic != ""
	}
	rest, hashed := strings.CutPrefix(key, voteKeyHashed)
	if !hashed || len(rest) < 1+topicHashLen || (len(rest)-1-topicHashLen)%headingHashLen != 0 {
		return "", "", false
	}
	kind, th, hs := rest[0], rest[1:1+topicHashLen], rest[1+topicHashLen:]
	lib := b.Library()
	if lib == nil {
		return "", "", false
	}
	for _, br := range lib.Topics() {
		if voteHash(br.Key(), topicHashLen) != th {
			continue
		}
		r := Reply{Topic: br.Key()}
		switch kind {
		case 'o':
			r.Kind = KindOverview
		case 'f':
			r.Kind = KindFull
		case 's':
			r.Kind = KindSection
			// A section answer's headings are the briefing's, or
			// "Introduction" for bullets of its lede (see parts).
			headings := []string{"Introduction"}
			for _, s := range br.Sections {
				headings = append(headings, s.Heading)
			}
			for ; hs != ""; hs = hs[headingHashLen:] {
				h, found := findHeading(headings, hs[:headingHashLen])
				if !found {
					return "", "", false
				}
				r.Sections = append(r.Sections, Section{Heading: h})
			}
			if len(r.Sections) == 0 {
				return "", "", false
			}
		default:
			return "", "", false
		}
		if kind != 's' && hs != "" {
			return "", "", false
		}
		return VoteTarget(r)
	}
	return "", "", false
}

func findHeading(headings []string, hash string) (string, bool) {
	for _, h := range headings {
		if voteHash(h, headingHashLen) == hash {
			return h, true
		}
	}
	return "", false
}

// VoteMessage is what a reader is told, privately, after pressing a vote
// button: outcome and err are what Voter.Vote returned.
func VoteMessage(outcome string, err error) string {
	switch {
	case err != nil:
		return "Sorry, your vote could not be counted just now. Please try again later."
	case outcome == VoteRepeated:
		return "You already voted on this answer."
	case outcome == VoteNotHelpful:
		return "Thanks — noted as not helpful."
	}
	return "Thanks — noted as helpful."
}
