package main

import "testing"

func TestSecureCookies(t *testing.T) {
	for _, c := range []struct {
		flag, addr string
		want, err  bool
	}{
		{"auto", "127.0.0.1:8080", false, false},
		{"auto", "localhost:8080", false, false},
		{"auto", "[::1]:8080", false, false},
		{"auto", "0.0.0.0:8080", true, false},
		{"auto", "10.0.0.5:80", true, false},
		{"yes", "127.0.0.1:8080", true, false},
		{"no", "0.0.0.0:8080", false, false},
		{"maybe", "127.0.0.1:8080", false, true},
		{"auto", "nonsense", false, true},
	} {
		got, err := secureCookies(c.flag, c.addr)
		if got != c.want || (err != nil) != c.err {
			t.Errorf("secureCookies(%q, %q) = %v, %v; want %v, error %v", c.flag, c.addr, got, err, c.want, c.err)
		}
	}
}
