package watch

// WithoutEvents makes w rely on polling alone, as on a network volume
// whose events never arrive.
func WithoutEvents(w *Watcher) { w.noEvents = true }
