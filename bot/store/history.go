package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

var _ bot.HistoryStore = (*DB)(nil)

// keepChunk is how many texts one INSERT carries: four parameters each,
// well within both backends' limits.
const keepChunk = 250

// KeepBriefings keeps the text of each version not kept before, as the
// parsed briefing in JSON. Only the versions missing from the store are
// encoded and sent, so a restart that meets ten thousand kept versions
// costs one look-up per 500 of them.
func (db *DB) KeepBriefings(ctx context.Context, bs map[bot.BriefingVersion]*briefings.Briefing) error {
	versions := make([]bot.BriefingVersion, 0, len(bs))
	clean := make(map[bot.BriefingVersion]*briefings.Briefing, len(bs))
	for v, b := range bs {
		if b == nil {
			continue
		}
		cv := bot.BriefingVersion{Topic: cleanText(v.Topic), Hash: cleanText(v.Hash)}
		if _, dup := clean[cv]; !dup {
			versions = append(versions, cv)
		}
		clean[cv] = b
	}
	// Sorted, so that concurrent replicas insert in one order.
	slices.SortFunc(versions, func(a, b bot.BriefingVersion) int {
		return cmpOr(strings.Compare(a.Topic, b.Topic), strings.Compare(a.Hash, b.Hash))
	})
	for start := 0; start < len(versions); start += seenChunk {
		chunk := versions[start:min(start+seenChunk, len(versions))]
		missing, err := db.unkept(ctx, chunk)
		if err != nil {
			return fmt.Errorf("keep briefing texts: %w", err)
		}
		for m := 0; m < len(missing); m += keepChunk {
			if err := db.insertTexts(ctx, missing[m:min(m+keepChunk, len(missing))], clean); err != nil {
				return fmt.Errorf("keep briefing texts: %w", err)
			}
		}
	}
	return nil
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// unkept returns those of versions that have no text in the store.
func (db *DB) unkept(ctx context.Context, versions []bot.BriefingVersion) ([]bot.BriefingVersion, error) {
	args := make([]any, 0, 2*len(versions))
	pairs := make([]string, len(versions))
	for i, v := range versions {
		args = append(args, v.Topic, v.Hash)
		pairs[i] = fmt.Sprintf("($%d, $%d)", 2*i+1, 2*i+2)
	}
	rows, err := db.sql.QueryContext(ctx, "SELECT topic_key, hash FROM briefing_texts WHERE (topic_key, hash) IN (VALUES "+
		strings.Join(pairs, ", ")+")", args...)
	if err != nil {
		return nil, fmt.Errorf("read kept versions: %w", err)
	}
	defer rows.Close()
	kept := map[bot.BriefingVersion]bool{}
	for rows.Next() {
		var v bot.BriefingVersion
		if err := rows.Scan(&v.Topic, &v.Hash); err != nil {
			return nil, fmt.Errorf("read kept versions: %w", err)
		}
		kept[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read kept versions: %w", err)
	}
	var out []bot.BriefingVersion
	for _, v := range versions {
		if !kept[v] {
			out = append(out, v)
		}
	}
	return out, nil
}

func (db *DB) insertTexts(ctx context.Context, versions []bot.BriefingVersion, bs map[bot.BriefingVersion]*briefings.Briefing) error {
	args := make([]any, 0, 4*len(versions))
	rows := make([]string, len(versions))
	for i, v := range versions {
		b := bs[v]
		text, err := json.Marshal(b)
		if err != nil {
			return fmt.Errorf("encode %s@%s: %w", v.Topic, v.Hash, err)
		}
		args = append(args, v.Topic, v.Hash, db.dialect.timeArg(normTime(b.Date)), string(text))
		rows[i] = fmt.Sprintf("($%d, $%d, $%d, $%d)", 4*i+1, 4*i+2, 4*i+3, 4*i+4)
	}
	if _, err := db.sql.ExecContext(ctx, "INSERT INTO briefing_texts (topic_key, hash, date, briefing) VALUES "+
		strings.Join(rows, ", ")+" ON CONFLICT (topic_key, hash) DO NOTHING", args...); err != nil {
		return fmt.Errorf("insert %d texts: %w", len(versions), err)
	}
	return nil
}

// BriefingHistory returns every version of topic first seen, with its
// date and whether its text is kept.
func (db *DB) BriefingHistory(ctx context.Context, topic string) ([]bot.SeenVersion, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT f.hash, f.first_seen, t.date, t.hash IS NOT NULL
		FROM briefing_first_seen f LEFT JOIN briefing_texts t ON t.topic_key = f.topic_key AND t.hash = f.hash
		WHERE f.topic_key = $1`, cleanText(topic))
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", topic, err)
	}
	defer rows.Close()
	var out []bot.SeenVersion
	for rows.Next() {
		v := bot.SeenVersion{BriefingVersion: bot.BriefingVersion{Topic: topic}}
		if err := rows.Scan(&v.Hash, timeScan{&v.FirstSeen}, timeScan{&v.Date}, &v.Kept); err != nil {
			return nil, fmt.Errorf("history of %s: %w", topic, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history of %s: %w", topic, err)
	}
	return out, nil
}

// KeptBriefing returns what version v said.
func (db *DB) KeptBriefing(ctx context.Context, v bot.BriefingVersion) (*briefings.Briefing, error) {
	var text string
	err := db.sql.QueryRowContext(ctx, "SELECT briefing FROM briefing_texts WHERE topic_key = $1 AND hash = $2",
		cleanText(v.Topic), cleanText(v.Hash)).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("version %s of %s: %w", v.Hash, v.Topic, bot.ErrNotKept)
	}
	if err != nil {
		return nil, fmt.Errorf("read version %s of %s: %w", v.Hash, v.Topic, err)
	}
	var b briefings.Briefing
	if err := json.Unmarshal([]byte(text), &b); err != nil {
		return nil, fmt.Errorf("decode version %s of %s: %w", v.Hash, v.Topic, err)
	}
	return &b, nil
}
