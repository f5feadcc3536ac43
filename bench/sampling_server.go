package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/web"
)

// benchServer is the server under load: a `frontline serve` child
// process, or the same server inside this process.
type benchServer struct {
	url  string
	mode string
	cmd  *exec.Cmd
	errs *bytes.Buffer
	// in this process
	cancel func()
	done   chan error
	close  func()
}

// startServer starts the server the configuration asks for and returns
// once it listens.
func startServer(ctx context.Context, cfg *SamplingConfig) (*benchServer, error) {
	if cfg.Server != "" {
		return startChild(ctx, cfg)
	}
	return startInProcess(ctx, cfg)
}

// startChild runs `frontline serve` on a free loopback port and reads the
// address it prints.
func startChild(ctx context.Context, cfg *SamplingConfig) (*benchServer, error) {
	args := append([]string{"serve", "--db", cfg.DBURL, "--addr", "127.0.0.1:0", "--sqlite-synchronous", cfg.Synchronous,
		"--log-level", "warn", "--sampling-writers", strconv.Itoa(cfg.Writers)}, cfg.ServeArgs...)
	cmd := exec.CommandContext(ctx, cfg.Server, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+os.Getenv("GOMAXPROCS"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &benchServer{mode: "child process", cmd: cmd, errs: &bytes.Buffer{}}
	cmd.Stderr = s.errs
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s serve: %w", cfg.Server, err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, after, ok := strings.Cut(sc.Text(), "serving on "); ok {
				found <- strings.Fields(after)[0]
			}
		}
	}()
	select {
	case u := <-found:
		s.url = u
		return s, nil
	case <-time.After(2 * time.Minute):
	case <-ctx.Done():
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, fmt.Errorf("the server did not start: %s", s.errs.String())
}

// startInProcess serves the real handler from this process, as `serve`
// wires it, on a free loopback port.
func startInProcess(ctx context.Context, cfg *SamplingConfig) (*benchServer, error) {
	db, err := sqldb.Open(ctx, cfg.DBURL, sqldb.Options{Synchronous: cfg.Synchronous, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	sampling := sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
	srv := &web.Server{Places: sqldb.NewPlaceService(db), Persons: sqldb.NewPersonService(db),
		Users: sqldb.NewUserService(db, frontline.DefaultLoginPolicy), Audit: sqldb.NewAuditService(db),
		Rounds: sqldb.NewRoundService(db), Sampling: sampling, Lab: sqldb.NewLabService(db),
		Coverage: sqldb.NewCoverageService(db), Sites: sqldb.NewSiteService(db), Outbox: sqldb.NewOutboxService(db),
		Logger: cfg.Logger}
	bound := make(chan string, 1)
	srv.OnListen = func(addr string) { bound <- addr }
	if err := srv.Open(); err != nil {
		db.Close()
		return nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	s := &benchServer{mode: "in process", cancel: cancel, done: make(chan error, 1),
		close: func() { sampling.Close(); db.Close() }}
	go func() { s.done <- srv.Serve(sctx, "127.0.0.1:0") }()
	select {
	case addr := <-bound:
		s.url = "http://" + addr
		return s, nil
	case err := <-s.done:
		s.close()
		return nil, err
	}
}

// peakRSS is the server's peak resident memory in MiB.
func (s *benchServer) peakRSS() int {
	if s.cmd != nil {
		return peakRSS(s.cmd.Process.Pid)
	}
	return peakRSS(os.Getpid())
}

// stop shuts the server down gracefully and waits for it.
func (s *benchServer) stop() error {
	if s.cmd != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		if err := s.cmd.Wait(); err != nil {
			return fmt.Errorf("%w: %s", err, s.errs.String())
		}
		return nil
	}
	s.cancel()
	err := <-s.done
	s.close()
	return err
}

// cpuTime is the CPU time (user and system) the server's process has used
// so far, 0 where /proc is not there. Unlike a latency it hardly depends on
// what else the machine runs, so the CPU a binding costs can be compared
// between runs on a busy machine.
func (s *benchServer) cpuTime() time.Duration {
	pid := os.Getpid()
	if s.cmd != nil {
		pid = s.cmd.Process.Pid
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; count from its ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// clockTicks is the kernel's USER_HZ, 100 on every Linux Go runs on.
const clockTicks = 100

// syscalls is how many read and write system calls (reads and writes of
// files and sockets, /proc/PID/io) the server's process has made so far,
// 0 where /proc is not there. On a virtual machine a system call costs
// microseconds: SQLite writes each WAL frame with two, a checkpoint
// copies each page with two, each request reads and answers with some.
func (s *benchServer) syscalls() (reads, writes int64) {
	pid := os.Getpid()
	if s.cmd != nil {
		pid = s.cmd.Process.Pid
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		switch k {
		case "syscr":
			reads = n
		case "syscw":
			writes = n
		}
	}
	return reads, writes
}
