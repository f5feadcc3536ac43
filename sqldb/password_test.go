package sqldb

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	cheap := Argon2Params{Memory: 64, Time: 1, Threads: 1}
	h, err := hashPassword("correct horse battery", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Contains(h, "correct horse") {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	if !checkPassword(h, "correct horse battery") {
		t.Fatal("the password does not match its own hash")
	}
	for _, wrong := range []string{"", "correct horse batter", "Correct horse battery", "correct horse battery "} {
		if checkPassword(h, wrong) {
			t.Errorf("%q matches the hash of another password", wrong)
		}
	}
	if h2, _ := hashPassword("correct horse battery", cheap); h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if checkPassword(decoyHash(cheap), "") || checkPassword(decoyHash(cheap), "correct horse battery") {
		t.Error("the decoy hash matches a password")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=99999999,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		if checkPassword(bad, "") {
			t.Errorf("malformed hash %q matches", bad)
		}
	}
	// The parameters travel with the hash: a hash made with other costs
	// still verifies.
	other, _ := hashPassword("another password", Argon2Params{Memory: 128, Time: 2, Threads: 2})
	if !checkPassword(other, "another password") {
		t.Error("a hash with other parameters does not verify")
	}
}

func TestSecrets(t *testing.T) {
	a, err := newSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newSecret()
	if len(a) != 43 || a == b || strings.ContainsAny(a, "+/=") {
		t.Fatalf("secrets %q %q: want 43 URL-safe characters, different each time", a, b)
	}
	if h := hashSecret(a); len(h) != 64 || h == a || h != hashSecret(a) {
		t.Fatalf("hash of secret %q", h)
	}
}
