package bot

import (
	"testing"
	"time"
)

func TestPreviousVersion(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	v := func(hash string, seen, date int) pastVersion {
		pv := pastVersion{SeenVersion: SeenVersion{BriefingVersion: BriefingVersion{Topic: "kz", Hash: hash}, Date: day(date), Kept: true}}
		if seen > 0 {
			pv.FirstSeen = day(seen)
		}
		return pv
	}
	tests := []struct {
		name     string
		versions []pastVersion // topicHistory's order: most recently seen first
		cur      string
		since    int // day; 0: the previous version
		want     string
		ok       bool
	}{
		{"edited in place", []pastVersion{v("b", 20, 20), v("a", 10, 10)}, "b", 0, "a", true},
		{"first version", []pastVersion{v("a", 10, 10)}, "a", 0, "", false},
		{"two files seen together: the older date came before",
			[]pastVersion{v("new", 10, 20), v("old", 10, 5)}, "new", 0, "old", true},
		{"an archived copy added later is not what came before",
			[]pastVersion{v("archive", 25, 1), v("cur", 20, 20), v("a", 10, 10)}, "cur", 0, "a", true},
		{"rolled back: the version undone came before",
			[]pastVersion{v("b", 20, 20), v("a", 10, 10)}, "a", 0, "b", true},
		{"since: the version current then", []pastVersion{v("c", 25, 25), v("b", 20, 20), v("a", 10, 10)}, "c", 22, "b", true},
		{"since: nothing changed after", []pastVersion{v("c", 25, 25), v("b", 20, 20)}, "c", 26, "c", false},
		{"since: nothing known before", []pastVersion{v("c", 25, 25)}, "c", 22, "", false},
		{"since without first-seen times: by date", []pastVersion{v("c", 0, 25), v("b", 0, 20)}, "c", 22, "b", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var since time.Time
			if tt.since > 0 {
				since = day(tt.since)
			}
			cur := BriefingVersion{Topic: "kz", Hash: tt.cur}
			var curDate time.Time
			for _, pv := range tt.versions {
				if pv.BriefingVersion == cur {
					curDate = pv.Date
				}
			}
			got, ok := previousVersion(tt.versions, cur, curDate, since)
			if ok != tt.ok || got.Hash != tt.want {
				t.Errorf("previousVersion = %q, %t; want %q, %t", got.Hash, ok, tt.want, tt.ok)
			}
		})
	}
}
