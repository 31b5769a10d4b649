package watch

// WithoutEvents makes w rely on polling alone, as on a network volume
// whose events never arrive.
func WithoutEvents(w *Watcher) { w.noEvents = true }

// OnStillWriting has f called for each file left unread because a writer
// still has it open.
func OnStillWriting(w *Watcher, f func(path string)) { w.stillWriting = f }
