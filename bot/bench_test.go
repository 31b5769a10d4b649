package bot_test

import (
	"context"
	"testing"

	"github.com/briefbot/briefbot/bot"
)

func BenchmarkHandle(b *testing.B) {
	core := bot.New(bot.Options{})
	ctx := context.Background()
	for _, q := range []string{"kazakhstan risks", "kazakhstan", "kazakstan risks", "search central asia", "zzqx"} {
		b.Run(q, func(b *testing.B) {
			req := bot.Request{Platform: bot.Platform("slack"), Text: q}
			b.ReportAllocs()
			for b.Loop() {
				core.Handle(ctx, req)
			}
		})
	}
}
