package sqldb

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the cost of argon2id password hashes. Each stored hash
// records the parameters it was made with, so raising the cost later keeps
// every existing password valid.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8
}

// DefaultArgon2 takes about 80 ms and 64 MiB on two cores: slow enough that
// a leaked table resists guessing, fast enough for a sign-in. It is RFC
// 9106's second recommended setting with fewer passes and threads, for the
// laptops the embedded default runs on.
func DefaultArgon2() Argon2Params { return Argon2Params{Memory: 64 * 1024, Time: 2, Threads: 2} }

const (
	saltLen = 16
	keyLen  = 32
	// maxArgon2Memory bounds what a stored hash may ask for, so a damaged
	// or planted row cannot make a sign-in allocate without limit.
	maxArgon2Memory = 1 << 20 // KiB: 1 GiB
)

var b64 = base64.RawStdEncoding // PHC strings use unpadded standard base64

// hashPassword returns the PHC string of password:
// $argon2id$v=19$m=65536,t=2,p=2$salt$hash.
func hashPassword(password string, p Argon2Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	return encodeHash(p, salt, key), nil
}

func encodeHash(p Argon2Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decoyHash is a hash no password matches, made with p. Checking a
// password against it costs as much as against a real one, so the time a
// sign-in takes does not tell whether the login exists.
func decoyHash(p Argon2Params) string {
	return encodeHash(p, make([]byte, saltLen), make([]byte, keyLen))
}

// checkPassword reports whether password matches the PHC string encoded,
// comparing in constant time. A malformed hash matches nothing.
func checkPassword(encoded, password string) bool {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

func decodeHash(encoded string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("not an argon2id hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("bad argon2 parameters %q: %w", parts[3], err)
	}
	if p.Memory == 0 || p.Memory > maxArgon2Memory || p.Time == 0 || p.Threads == 0 {
		return p, nil, nil, fmt.Errorf("argon2 parameters out of range: %q", parts[3])
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("bad salt: %w", err)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 {
		return p, nil, nil, fmt.Errorf("bad key")
	}
	return p, salt, key, nil
}

// newSecret returns 32 random bytes in URL-safe base64: a session cookie
// or the body of a device token.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hashSecret returns the SHA-256 of a secret in hex: what the database
// keeps of a session or token. Secrets are random and long, so a fast hash
// is enough; there is nothing to guess.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
