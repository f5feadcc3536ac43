package backup

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/frontline-org/frontline/sqldb"
)

// filePrefix and the extensions name the scheduled copies, so that pruning
// touches nothing else in the directory.
const (
	filePrefix   = "frontline-"
	plainExt     = ".db"
	encryptedExt = ".db.age"
	stampLayout  = "20060102T150405Z"
)

// Schedule takes a copy every Every into Dir and keeps the newest Keep.
type Schedule struct {
	DB         *sqldb.DB
	Dir        string
	Every      time.Duration
	Keep       int
	Passphrase string
	Logger     *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu       sync.Mutex
	lastGood time.Time
}

func (s *Schedule) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Start reads the time of the newest copy already in Dir, so a restart
// does not forget the last good backup.
func (s *Schedule) Start() error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return err
	}
	files, err := s.copies()
	if err != nil {
		return err
	}
	if len(files) > 0 {
		s.mu.Lock()
		s.lastGood = files[len(files)-1].at
		s.mu.Unlock()
	}
	return nil
}

// Run takes a copy at once when the newest is older than Every, then every
// Every, until ctx ends. A failed copy is logged; the age of the last good
// one shows it on /metrics and /readyz.
func (s *Schedule) Run(ctx context.Context) {
	wait := time.Duration(0)
	if last := s.LastGood(); !last.IsZero() {
		wait = max(0, last.Add(s.Every).Sub(s.now()))
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := s.TakeOne(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Error("backup failed", "dir", s.Dir, "err", err)
		}
		t.Reset(s.Every)
	}
}

// TakeOne takes one copy now and prunes the old ones; it returns the
// copy's path.
func (s *Schedule) TakeOne(ctx context.Context) (string, error) {
	at := s.now()
	ext := plainExt
	if s.Passphrase != "" {
		ext = encryptedExt
	}
	path := filepath.Join(s.Dir, filePrefix+at.Format(stampLayout)+ext)
	start := time.Now()
	if err := Take(ctx, s.DB, path, s.Passphrase); err != nil {
		return "", err
	}
	s.mu.Lock()
	s.lastGood = at
	s.mu.Unlock()
	info, _ := os.Stat(path)
	size := int64(0)
	if info != nil {
		size = info.Size()
	}
	s.Logger.Info("backup taken", "file", path, "bytes", size, "took", time.Since(start).Round(time.Millisecond))
	if err := s.prune(); err != nil {
		s.Logger.Error("backup: prune old copies", "dir", s.Dir, "err", err)
	}
	return path, nil
}

// LastGood returns when the newest good copy was taken (zero if none).
func (s *Schedule) LastGood() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastGood
}

// Age returns the age of the newest good copy, or -1 when there is none.
func (s *Schedule) Age() time.Duration {
	last := s.LastGood()
	if last.IsZero() {
		return -1
	}
	return s.now().Sub(last)
}

// Stale reports whether the newest good copy is older than twice the
// interval (or missing once two intervals have passed since started).
func (s *Schedule) Stale(started time.Time) bool {
	last := s.LastGood()
	if last.IsZero() {
		last = started
	}
	return s.now().Sub(last) > 2*s.Every
}

type copyFile struct {
	path string
	at   time.Time
}

// copies lists the scheduled copies in Dir, oldest first.
func (s *Schedule) copies() ([]copyFile, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, err
	}
	var out []copyFile
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, filePrefix) {
			continue
		}
		stamp := strings.TrimPrefix(name, filePrefix)
		if !strings.HasSuffix(stamp, encryptedExt) && !strings.HasSuffix(stamp, plainExt) {
			continue
		}
		stamp = strings.TrimSuffix(strings.TrimSuffix(stamp, encryptedExt), plainExt)
		at, err := time.Parse(stampLayout, stamp)
		if err != nil {
			continue
		}
		out = append(out, copyFile{filepath.Join(s.Dir, name), at})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out, nil
}

// prune removes all but the newest Keep copies.
func (s *Schedule) prune() error {
	if s.Keep <= 0 {
		return nil
	}
	files, err := s.copies()
	if err != nil {
		return err
	}
	for len(files) > s.Keep {
		if err := os.Remove(files[0].path); err != nil {
			return err
		}
		files = files[1:]
	}
	return nil
}
