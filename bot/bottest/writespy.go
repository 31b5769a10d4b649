package bottest

import (
	"net/http/httptest"
	"sync"
)

// WriteSpy is a ResponseRecorder that closes Written once the response is
// first written to, header or body. An adapter test holds its fake core
// back on Written to show that only the acknowledgement budget can have
// answered, while the core was still at work.
type WriteSpy struct {
	*httptest.ResponseRecorder
	// Written is closed by the first WriteHeader or Write.
	Written chan struct{}
	once    sync.Once
}

// NewWriteSpy returns a WriteSpy around a new ResponseRecorder.
func NewWriteSpy() *WriteSpy {
	return &WriteSpy{ResponseRecorder: httptest.NewRecorder(), Written: make(chan struct{})}
}

func (s *WriteSpy) WriteHeader(code int) {
	s.ResponseRecorder.WriteHeader(code)
	s.once.Do(func() { close(s.Written) })
}

func (s *WriteSpy) Write(b []byte) (int, error) {
	n, err := s.ResponseRecorder.Write(b)
	s.once.Do(func() { close(s.Written) })
	return n, err
}
