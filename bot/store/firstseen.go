package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot/bot"
)

var _ bot.FirstSeenStore = (*DB)(nil)

// seenChunk is how many versions one statement carries: well within both
// backends' limits on parameters.
const seenChunk = 500

// SeeBriefings records the versions not recorded before as first seen at
// now, and returns when each was first seen. The first insert of a version
// stands; later ones change nothing.
func (db *DB) SeeBriefings(ctx context.Context, versions []bot.BriefingVersion, now time.Time) (map[bot.BriefingVersion]time.Time, error) {
	out := make(map[bot.BriefingVersion]time.Time, len(versions))
	uniq := make([]bot.BriefingVersion, 0, len(versions))
	for _, v := range versions {
		v = bot.BriefingVersion{Topic: cleanText(v.Topic), Hash: cleanText(v.Hash)}
		if _, dup := out[v]; dup {
			continue
		}
		out[v] = time.Time{}
		uniq = append(uniq, v)
	}
	for start := 0; start < len(uniq); start += seenChunk {
		chunk := uniq[start:min(start+seenChunk, len(uniq))]
		args := make([]any, 0, 2*len(chunk)+1)
		pairs := make([]string, len(chunk))
		for i, v := range chunk {
			args = append(args, v.Topic, v.Hash)
			pairs[i] = fmt.Sprintf("($%d, $%d", 2*i+1, 2*i+2)
		}
		args = append(args, db.dialect.timeArg(now))
		nowArg := fmt.Sprintf(", $%d)", len(args))
		if _, err := db.sql.ExecContext(ctx, "INSERT INTO briefing_first_seen (topic_key, hash, first_seen) VALUES "+
			strings.Join(pairs, nowArg+", ")+nowArg+" ON CONFLICT (topic_key, hash) DO NOTHING", args...); err != nil {
			return nil, fmt.Errorf("record briefings first seen: %w", err)
		}
		rows, err := db.sql.QueryContext(ctx, "SELECT topic_key, hash, first_seen FROM briefing_first_seen WHERE (topic_key, hash) IN (VALUES "+
			strings.Join(pairs, "), ")+"))", args[:len(args)-1]...)
		if err != nil {
			return nil, fmt.Errorf("read briefings first seen: %w", err)
		}
		for rows.Next() {
			var (
				v  bot.BriefingVersion
				at time.Time
			)
			if err := rows.Scan(&v.Topic, &v.Hash, timeScan{&at}); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read briefings first seen: %w", err)
			}
			out[v] = at
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read briefings first seen: %w", err)
		}
	}
	for v, at := range out {
		if at.IsZero() {
			return nil, fmt.Errorf("record briefings first seen: %s@%s was not recorded", v.Topic, v.Hash)
		}
	}
	return out, nil
}
