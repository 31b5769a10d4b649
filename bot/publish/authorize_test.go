package publish_test

import (
	"net/http/httptest"
	"testing"

	"github.com/briefbot/briefbot/bot/publish"
)

func TestAuthorizer(t *testing.T) {
	a, err := publish.NewAuthorizer([]publish.Token{{Name: "editors-ci", Secret: "ci-secret-0123456789"}, {Name: "desk", Secret: "desk-secret-0123456789"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		set    func(h func(k, v string), basic func(u, p string))
		who    string
		wantOK bool
	}{
		{"bearer", func(h func(k, v string), _ func(u, p string)) { h("Authorization", "Bearer desk-secret-0123456789") }, "desk", true},
		{"basic naming the token", func(_ func(k, v string), b func(u, p string)) { b("editors-ci", "ci-secret-0123456789") }, "editors-ci", true},
		{"basic naming another token", func(_ func(k, v string), b func(u, p string)) { b("desk", "ci-secret-0123456789") }, "", false},
		{"basic with a wrong secret", func(_ func(k, v string), b func(u, p string)) { b("desk", "desk-secret-012345678") }, "", false},
		{"wrong bearer", func(h func(k, v string), _ func(u, p string)) { h("Authorization", "Bearer nope-nope-nope-nope") }, "", false},
		{"nothing", func(func(k, v string), func(u, p string)) {}, "", false},
	} {
		r := httptest.NewRequest("GET", "/desk", nil)
		tt.set(r.Header.Set, r.SetBasicAuth)
		who, ok := a.Who(r)
		if who != tt.who || ok != tt.wantOK {
			t.Errorf("%s: Who = %q, %v; want %q, %v", tt.name, who, ok, tt.who, tt.wantOK)
		}
	}
	if _, err := publish.NewAuthorizer([]publish.Token{{Name: "short", Secret: "x"}}); err == nil {
		t.Error("a short token was accepted")
	}
}
