// Package backup takes, encrypts, prunes and restores copies of an SQLite
// Frontline database: the office laptop's disk may die on day 5 of a sealed
// zone. The copy itself is sqldb's (VACUUM INTO on a live database); this
// package names the files, encrypts them with a passphrase (age, scrypt:
// authenticated encryption), keeps the newest few and checks a copy before
// it is restored.
package backup

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
)

// ageMagic begins every age file; restore tells an encrypted copy by it.
const ageMagic = "age-encryption.org/v1\n"

// Take writes a consistent copy of db to out, which must not exist,
// encrypted with passphrase unless it is empty. The copy appears under its
// name only once it is complete and on disk (written beside it, synced,
// then renamed), so a copy that exists is a whole one.
func Take(ctx context.Context, db *sqldb.DB, out, passphrase string) error {
	if db.Engine != sqldb.SQLite {
		return frontline.Errorf(frontline.EINVALID, "%s", sqldb.PostgresBackupAdvice)
	}
	if _, err := os.Stat(out); err == nil {
		return frontline.Errorf(frontline.ECONFLICT, "%s exists already; a backup never overwrites a file", out)
	}
	dir := filepath.Dir(out)
	if passphrase == "" {
		tmp := filepath.Join(dir, "."+filepath.Base(out)+".partial")
		os.Remove(tmp) // left by a copy that was killed
		if err := db.Backup(ctx, tmp); err != nil {
			return err
		}
		return publish(tmp, out)
	}
	// The plain copy is written beside the database, whose disk holds the
	// same data in the clear already, never beside the encrypted output,
	// which may be a USB stick that leaves the office.
	src, err := sqldb.SQLitePath(db.URL)
	if err != nil {
		return err
	}
	plain := filepath.Join(filepath.Dir(src), "."+filepath.Base(out)+".plain")
	os.Remove(plain)
	if err := db.Backup(ctx, plain); err != nil {
		return err
	}
	defer os.Remove(plain)
	tmp := filepath.Join(dir, "."+filepath.Base(out)+".partial")
	if err := encryptFile(plain, tmp, passphrase); err != nil {
		os.Remove(tmp)
		return err
	}
	return publish(tmp, out)
}

// publish syncs tmp and renames it to out, then syncs the directory, so
// that after a crash out is either absent or whole.
func publish(tmp, out string) error {
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	f.Close()
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(filepath.Dir(out)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func encryptFile(src, dst, passphrase string) error {
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return frontline.Errorf(frontline.EINVALID, "passphrase: %v", err)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	bw := bufio.NewWriterSize(out, 1<<20)
	w, err := age.Encrypt(bw, r)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, in); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return out.Close()
}

// Encrypted reports whether the file at path is an age file.
func Encrypted(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, len(ageMagic))
	n, _ := io.ReadFull(f, head)
	return bytes.Equal(head[:n], []byte(ageMagic)), nil
}

// ReadPassphrase reads a passphrase from the first line of a file, so it
// never appears in a command line or the process list.
func ReadPassphrase(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", frontline.Errorf(frontline.EINVALID, "passphrase file: %v", err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	line = strings.TrimRight(line, "\r")
	if len(line) < 8 {
		return "", frontline.Errorf(frontline.EINVALID, "the passphrase in %s is shorter than 8 characters", path)
	}
	return line, nil
}

// Restored is what Restore checked and did.
type Restored struct {
	Check *sqldb.CopyCheck
	// Migrated are the migrations applied to the copy after it was checked
	// (it came from an older Frontline).
	Migrated []string
	// Differences are the counters that differ from a recount; a restore
	// with differences is refused.
	Differences []string
}

// Restore checks the copy in file (decrypting it with passphrase when it
// is encrypted) and restores it to target, which must not exist: SQLite's
// integrity check, migrations this binary knows (pending ones are
// applied), every counter equal to a recount. Nothing appears at target
// unless every check passed.
func Restore(ctx context.Context, file, target, passphrase string) (*Restored, error) {
	if _, err := os.Stat(target); err == nil {
		return nil, frontline.Errorf(frontline.ECONFLICT, "%s exists already; restore to a path that does not exist", target)
	}
	tmp := filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".restoring")
	removeDB(tmp)
	if err := copyPlain(file, tmp, passphrase); err != nil {
		removeDB(tmp)
		return nil, err
	}
	res, err := verify(ctx, tmp)
	if err != nil {
		removeDB(tmp)
		return res, err
	}
	if err := publish(tmp, target); err != nil {
		removeDB(tmp)
		return res, err
	}
	removeDB(tmp) // the closed copy's empty -wal and -shm, if any
	return res, nil
}

func verify(ctx context.Context, path string) (*Restored, error) {
	res := &Restored{}
	check, err := sqldb.VerifyCopy(ctx, path)
	res.Check = check
	if err != nil {
		return res, err
	}
	db, err := sqldb.Open(ctx, "sqlite:"+path, sqldb.Options{})
	if err != nil {
		return res, err
	}
	defer db.Close()
	if res.Migrated, err = db.Pending(ctx); err != nil {
		return res, err
	}
	if err := db.Migrate(ctx); err != nil {
		return res, fmt.Errorf("migrate the copy: %w", err)
	}
	if res.Differences, err = db.CheckAllCounts(ctx); err != nil {
		return res, err
	}
	if len(res.Differences) > 0 {
		return res, frontline.Errorf(frontline.EINVALID, "the copy's counters differ from a recount in %d place(s); it was not restored",
			len(res.Differences))
	}
	return res, db.Close()
}

// copyPlain writes the database in file to dst, decrypting it if needed.
func copyPlain(file, dst, passphrase string) error {
	enc, err := Encrypted(file)
	if err != nil {
		return frontline.Errorf(frontline.EINVALID, "backup file: %v", err)
	}
	in, err := os.Open(file)
	if err != nil {
		return err
	}
	defer in.Close()
	var r io.Reader = bufio.NewReaderSize(in, 1<<20)
	if enc {
		if passphrase == "" {
			return frontline.Errorf(frontline.EINVALID, "%s is encrypted: give its passphrase with --passphrase-file", file)
		}
		id, err := age.NewScryptIdentity(passphrase)
		if err != nil {
			return frontline.Errorf(frontline.EINVALID, "passphrase: %v", err)
		}
		if r, err = age.Decrypt(r, id); err != nil {
			var nomatch *age.NoIdentityMatchError
			if errors.As(err, &nomatch) {
				return frontline.Errorf(frontline.EINVALID, "%s: wrong passphrase", file)
			}
			return frontline.Errorf(frontline.EINVALID, "%s cannot be decrypted: %v", file, err)
		}
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	if _, err := io.Copy(out, r); err != nil {
		// age authenticates every chunk: a changed byte fails here.
		return frontline.Errorf(frontline.EINVALID, "%s is damaged: %v", file, err)
	}
	return out.Close()
}

// removeDB removes an SQLite file with its WAL and shared-memory files.
func removeDB(path string) {
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(path + s)
	}
}
